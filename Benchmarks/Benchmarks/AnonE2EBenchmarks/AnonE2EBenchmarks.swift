#if canImport(Glibc)
import Glibc
#endif
import Benchmark
import Foundation
import LoopbackServer
import Contract
import Evidence
import Protocols
import Transport

// Run by `ci/bench` (`swift package benchmark`), compared against the
// baselines in .benchmarkBaselines/. Each benchmark reports what it moves
// (MiB/s or thousands of events a second) beside time, allocations and memory.
let benchmarks: @Sendable () -> Void = {
    let rate: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident]
    let short = Benchmark.Configuration(maxDuration: .seconds(4), maxIterations: 20)

    Benchmark("parse: recorded replies, 16 MiB in 16 KiB chunks",
              configuration: .init(metrics: rate + [Sample.mebibytesPerSecond], maxDuration: .seconds(4), maxIterations: 20)) { benchmark in
        let stream = Sample.recordedReplies
        benchmark.startMeasurement()
        let started = ContinuousClock.now
        blackHole(try Sample.parse(stream))
        benchmark.stopMeasurement()
        benchmark.measurement(Sample.mebibytesPerSecond, Sample.mebibytesPerSecond(stream.count, since: started))
    }

    Benchmark("parse: small delta events, 16 MiB in 16 KiB chunks",
              configuration: .init(metrics: rate + [Sample.mebibytesPerSecond, Sample.kiloEventsPerSecond], maxDuration: .seconds(4), maxIterations: 20)) { benchmark in
        let stream = Sample.smallEvents
        benchmark.startMeasurement()
        let started = ContinuousClock.now
        let events = try Sample.parse(stream)
        benchmark.stopMeasurement()
        benchmark.measurement(Sample.mebibytesPerSecond, Sample.mebibytesPerSecond(stream.count, since: started))
        benchmark.measurement(Sample.kiloEventsPerSecond, Sample.kiloEventsPerSecond(events, since: started))
    }

    for jsonl in [false, true] {
        Benchmark("cli output: small delta events parsed and printed\(jsonl ? " as --jsonl" : ""), to /dev/null",
                  configuration: .init(metrics: rate + [Sample.kiloEventsPerSecond], maxDuration: .seconds(4), maxIterations: 20)) { benchmark in
            let stream = Sample.smallEvents
            let null = open("/dev/null", O_WRONLY)
            defer { close(null) }
            var printer = StreamPrinter(jsonl: jsonl, redactor: Sample.redactor, descriptor: null)
            var parser = EventStreamParser()
            var items: [EventStreamItem] = []
            var summary = StreamSummary()
            benchmark.startMeasurement()
            let started = ContinuousClock.now
            var offset = 0
            while offset < stream.count {
                let end = min(offset + 16 * 1024, stream.count)
                try parser.feed(stream[offset..<end], into: &items)
                for item in items {
                    let elapsed = (item.arrival - started).inMilliseconds
                    summary.count(item, at: elapsed)
                    printer.item(item, at: elapsed)
                }
                printer.flush()
                offset = end
            }
            benchmark.stopMeasurement()
            benchmark.measurement(Sample.kiloEventsPerSecond, Sample.kiloEventsPerSecond(summary.events, since: started))
        }
    }

    Benchmark("redaction: 64 KiB of output that holds no secret (the byte search)", configuration: short) { benchmark in
        let chunk = Array(Sample.smallEvents.prefix(64 * 1024))
        for _ in benchmark.scaledIterations { blackHole(Sample.redactor.mightHoldSecret(chunk)) }
    }

    Benchmark("redaction: a line holding a bearer token and the configured secret", configuration: short) { benchmark in
        let line = Array("Authorization: Bearer \(Sample.token) apikey=\(Sample.secret) and some text around it\n".utf8)
        for _ in benchmark.scaledIterations { blackHole(Sample.redactor.redact(line)) }
    }

    Benchmark("transport: 256 MiB from a loopback server",
              configuration: .init(metrics: rate + [Sample.mebibytesPerSecond], maxDuration: .seconds(10), maxIterations: 8)) { benchmark in
        let server = try LoopbackServer()
        defer { server.stop() }
        let size = 256 << 20
        benchmark.startMeasurement()
        let started = ContinuousClock.now
        let response = try await HTTPClient().stream(RequestTemplate().request(.get, server.baseURL + "/bytes?size=\(size)&close=1", deadlines: Deadlines(total: .seconds(120))))
        var received = 0
        for try await chunk in response.body { received += chunk.bytes.count }
        benchmark.stopMeasurement()
        precondition(received == size, "received \(received) of \(size) bytes")
        benchmark.measurement(Sample.mebibytesPerSecond, Sample.mebibytesPerSecond(size, since: started))
    }

    Benchmark("slow consumer: 64 MiB read at 32 MiB/s (the transfer pauses)",
              configuration: .init(metrics: [.wallClock, .peakMemoryResident, .peakMemoryResidentDelta], maxDuration: .seconds(10), maxIterations: 3)) { benchmark in
        let server = try LoopbackServer()
        defer { server.stop() }
        let size = 64 << 20
        let response = try await HTTPClient().stream(RequestTemplate().request(.get, server.baseURL + "/bytes?size=\(size)&close=1", deadlines: Deadlines(total: .seconds(60))))
        var received = 0
        for try await chunk in response.body {
            received += chunk.bytes.count
            try await Task.sleep(for: .microseconds(chunk.bytes.count / 32))
        }
        precondition(received == size, "received \(received) of \(size) bytes")
    }
}

/// The inputs, made once per process.
enum Sample {
    static let mebibytesPerSecond = BenchmarkMetric.custom("MiB/s", polarity: .prefersLarger, useScalingFactor: false)
    static let kiloEventsPerSecond = BenchmarkMetric.custom("K events/s", polarity: .prefersLarger, useScalingFactor: false)

    static let secret = "sb_secret_0123456789abcdefghijklmnop"
    /// Signed here, so no token is committed outside Tests/Fixtures.
    static let token = JWTSigner.hmac(["alg": .string("HS256"), "typ": .string("JWT")], ["sub": .string("benchmark")],
                                      key: Array("a benchmark's own key".utf8))
    static let redactor = Redactor(secrets: [secret])

    /// `Tests/Fixtures/sse/messages-stream.txt` repeated to 16 MiB: real replies, pings and all.
    static let recordedReplies: [UInt8] = {
        let fixture = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/Fixtures/sse/messages-stream.txt")
        let recorded = Array((try? Data(contentsOf: fixture)) ?? Data("event: delta\ndata: {}\n\n".utf8))
        var stream: [UInt8] = []
        stream.reserveCapacity(16 << 20)
        while stream.count < 16 << 20 { stream += recorded }
        return stream
    }()

    /// The stream of ci/bench's side-by-side table, 16 MiB of it: `id`, `event: delta`, a 40-byte JSON `data`.
    static let smallEvents: [UInt8] = {
        var stream: [UInt8] = []
        stream.reserveCapacity(16 << 20 + 128)
        var index = 0
        while stream.count < 16 << 20 {
            let seq = String(index)
            stream += Array("id: \(index)\nevent: delta\ndata: {\"delta\":\"abcdefghijklmnopqrst\",\"seq\":\(String(repeating: "0", count: max(0, 9 - seq.count)) + seq)}\n\n".utf8)
            index += 1
        }
        return stream
    }()

    static func parse(_ stream: [UInt8]) throws -> Int {
        // As EventStream and the CLI read: one array of items kept across chunks.
        var parser = EventStreamParser()
        var items: [EventStreamItem] = []
        var events = 0
        var offset = 0
        while offset < stream.count {
            let end = min(offset + 16 * 1024, stream.count)
            try parser.feed(stream[offset..<end], into: &items)
            events += items.count
            offset = end
        }
        return events
    }

    static func mebibytesPerSecond(_ bytes: Int, since started: ContinuousClock.Instant) -> Int {
        Int(Double(bytes) / 1_048_576 / seconds(since: started))
    }

    static func kiloEventsPerSecond(_ events: Int, since started: ContinuousClock.Instant) -> Int {
        Int(Double(events) / 1000 / seconds(since: started))
    }

    private static func seconds(since started: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - started
        return max(1e-9, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
