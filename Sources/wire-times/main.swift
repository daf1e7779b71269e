import Foundation
import Synchronization
import LoopbackServer
import Protocols
import Transport

// `wire-times --port P --streams N --out FILE [--events E] [--interval-ms I]`, run by ci/bench-wire while
// dumpcap captures port P: a loopback server sends N concurrent streams of E small frames, I ms apart,
// each frame tagged `id: <stream>-<n>` and each head `X-Tag: <stream>`; this project's transport and
// parser read them as the suite does. FILE gets one line per head and per frame, `<tag> <epoch seconds>`,
// with the time the suite would report for it (the head as the client has it, each frame's arrival),
// for ci/bench.py to set against the packets' own timestamps.
func option(_ name: String, _ fallback: Int) -> Int {
    CommandLine.arguments.firstIndex(of: name).flatMap { Int(CommandLine.arguments[$0 + 1]) } ?? fallback
}
let port = option("--port", 0), streams = option("--streams", 1), events = option("--events", 20), interval = option("--interval-ms", 50)
guard let outIndex = CommandLine.arguments.firstIndex(of: "--out") else { fatalError("--out FILE is required") }
let out = CommandLine.arguments[outIndex + 1]

let server = try LoopbackServer(host: "127.0.0.1", port: port, handler: { request, writer in
    let tag = request.query["tag"] ?? "x"
    guard writer.head(200, [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"), ("X-Tag", tag)]) else { return }
    for n in 1...events {
        usleep(useconds_t(interval * 1000))
        guard writer.write("id: \(tag)-\(n)\nevent: delta\ndata: {\"seq\":\(n),\"delta\":\"tok\"}\n\n") else { return }
    }
})

// Epoch seconds of a monotonic instant, from one pair read together.
let wall0 = Date().timeIntervalSince1970, mono0 = ContinuousClock.now
func epoch(_ instant: ContinuousClock.Instant) -> String {
    let since = instant - mono0
    return String(format: "%.6f", wall0 + Double(since.components.seconds) + Double(since.components.attoseconds) / 1e18)
}

let client = HTTPClient(streamBufferLimit: 64 * 1024)
let lines = Mutex<[String]>([])
let failures = Atomic<Int>(0)
await withTaskGroup(of: Void.self) { group in
    for index in 0..<streams {
        group.addTask {
            let tag = "s\(index)"
            var request = RequestTemplate().request(.get, "\(server.baseURL)/stream?tag=\(tag)", headers: ["Accept": "text/event-stream"])
            request.deadlines = Deadlines(connect: .seconds(30), total: .seconds(300), idle: .seconds(60))
            do {
                let response = try await client.stream(request)
                var mine = ["\(tag) \(epoch(response.headArrival))"]
                for try await item in EventStream(response) {
                    if case let .event(event) = item, let id = event.id { mine.append("\(id) \(epoch(item.arrival))") }
                }
                lines.withLock { $0 += mine }
            } catch {
                failures.add(1, ordering: .relaxed)
            }
        }
    }
}
server.stop()
try (lines.withLock { $0 }.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
print("wire-times: \(streams) streams of \(events) frames, \(failures.load(ordering: .relaxed)) failed")
