#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LoopbackServer
import TestSupport

/// Benchmarks, printed, never asserted: `anon-e2e-bench [parse|transport|rss|streams]`.
/// Run in release mode (`ci/bench`); each kind in its own process so one's
/// peak memory does not hide in another's.
@main
enum Benchmarks {
    static func main() async throws {
        let kinds = CommandLine.arguments.dropFirst()
        for kind in kinds.isEmpty ? ["parse", "transport", "rss"] : Array(kinds) {
            switch kind {
            case "parse": try parse()
            case "transport": try await transport()
            case "rss": try await rss()
            case "streams":
                let count = ProcessInfo.processInfo.environment["STREAMS"].flatMap { Int($0) } ?? 2000
                try await StreamsBenchmark.run(count: count, perUser: 50, hold: .seconds(20))
            case "serve":
                // A loopback server in its own process, so client and server do not share threads.
                let server = try LoopbackServer()
                FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
                // Lives as long as its parent holds our stdin open.
                _ = FileHandle.standardInput.readDataToEndOfFile()
                server.stop()
            default:
                FileHandle.standardError.write(Data("unknown benchmark \(kind): parse, transport, rss\n".utf8))
                exit(2)
            }
        }
    }

    /// SSE parse throughput on a 64 MiB stream made of the recorded fixture.
    static func parse() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/Fixtures/sse/messages-stream.txt")
        let recorded = Array(try Data(contentsOf: fixture))
        var stream: [UInt8] = []
        stream.reserveCapacity(64 << 20)
        while stream.count < 64 << 20 { stream += recorded }
        var best = Double.infinity
        var events = 0
        for _ in 0..<3 {
            var parser = EventStreamParser()
            events = 0
            let start = ContinuousClock.now
            var offset = 0
            while offset < stream.count {
                let end = min(offset + 16 * 1024, stream.count)
                events += try parser.feed(stream[offset..<end]).count
                offset = end
            }
            best = min(best, (ContinuousClock.now - start).inMilliseconds / 1000)
        }
        let megabytes = Double(stream.count) / 1_048_576
        print(String(format: "parse: %.0f MiB in %.3f s = %.1f MiB/s (%d items)", megabytes, best, megabytes / best, events))
    }

    /// Streaming throughput of the curl transport against `curl -sN` on the same loopback server.
    static func transport() async throws {
        let serverProcess = Process()
        serverProcess.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        serverProcess.arguments = ["serve"]
        let portPipe = Pipe()
        let lifeline = Pipe()
        serverProcess.standardOutput = portPipe
        serverProcess.standardInput = lifeline
        try serverProcess.run()
        defer {
            try? lifeline.fileHandleForWriting.close()
            serverProcess.waitUntilExit()
        }
        let portLine = String(decoding: portPipe.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let size = 1 << 30
        let url = "http://127.0.0.1:\(portLine)/bytes?size=\(size)&close=1"
        var ours: [Double] = []
        var theirs: [Double] = []
        for _ in 0..<3 {
            let start = ContinuousClock.now
            let response = try await HTTPClient().stream(HTTPRequest(.get, url, deadlines: .init(total: .seconds(120))))
            var received = 0
            var chunks = 0
            for try await chunk in response.body { received += chunk.bytes.count; chunks += 1 }
            precondition(received == size, "received \(received) of \(size)")
            if ProcessInfo.processInfo.environment["BENCH_DEBUG"] != nil { print("chunks \(chunks) avg \(size / chunks)") }
            ours.append((ContinuousClock.now - start).inMilliseconds / 1000)

            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-sN", "-o", "/dev/null", url]
            let curlStart = ContinuousClock.now
            try curl.run()
            curl.waitUntilExit()
            theirs.append((ContinuousClock.now - curlStart).inMilliseconds / 1000)
        }
        let gib = Double(size) / 1_073_741_824
        let oursRate = gib / ours.sorted()[1] * 1024
        let curlRate = gib / theirs.sorted()[1] * 1024
        print(String(format: "transport: HTTPClient %.0f MiB/s, curl -sN %.0f MiB/s, ratio %.2f (median of 3, 1 GiB each)", oursRate, curlRate, oursRate / curlRate))
    }

    /// Peak RSS growth while a slow consumer reads a 256 MiB stream.
    static func rss() async throws {
        let server = try LoopbackServer()
        let size = 256 << 20
        _ = try await HTTPClient().send(HTTPRequest(.get, server.baseURL + "/bytes?size=1024"))
        let baseline = residentBytes()
        var peak = baseline
        let start = ContinuousClock.now
        let response = try await HTTPClient().stream(HTTPRequest(.get, server.baseURL + "/bytes?size=\(size)&close=1", deadlines: .init(total: .seconds(300))))
        var received = 0
        for try await chunk in response.body {
            received += chunk.bytes.count
            // Slower than the network: at most 32 MiB/s, while loopback gives gigabytes.
            try await Task.sleep(for: .microseconds(chunk.bytes.count / 32))
            peak = max(peak, residentBytes())
        }
        precondition(received == size)
        let seconds = (ContinuousClock.now - start).inMilliseconds / 1000
        print(String(format: "rss: 256 MiB read in %.1f s by a slow consumer; peak RSS growth %.1f MiB (baseline %.1f MiB)",
                     seconds, Double(peak - baseline) / 1_048_576, Double(baseline) / 1_048_576))
    }

    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
