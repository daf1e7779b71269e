import Foundation
import LoopbackServer
import Testing
import Transport

/// The `anon-e2e` binary built next to this test bundle.
private let cli = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("anon-e2e")

@Suite("anon-e2e stream", .enabled(if: FileManager.default.isExecutableFile(atPath: cli.path), "build the anon-e2e product first (swift build)"),
       .timeLimit(.minutes(1)))
struct StreamCommandTests {
    @Test("prints each event as it arrives, not at the end, then a summary")
    func printsIncrementally() throws {
        let server = try LoopbackServer()
        let process = Process()
        process.executableURL = cli
        process.arguments = ["stream", server.baseURL + "/sse?events=4&interval_ms=400", "--jsonl", "-H", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()

        var lines: [(text: String, at: ContinuousClock.Instant)] = []
        var pending = Data()
        while case let data = pipe.fileHandleForReading.availableData, !data.isEmpty {
            pending += data
            while let newline = pending.firstIndex(of: 10) {
                lines.append((String(decoding: pending[..<newline], as: UTF8.self), .now))
                pending = Data(pending[pending.index(after: newline)...])
            }
        }
        let exited = ContinuousClock.now
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let kinds = lines.map { (try? JSONSerialization.jsonObject(with: Data($0.text.utf8)) as? [String: Any])?["kind"] as? String }
        #expect(kinds == ["head", "event", "event", "event", "event", "summary"])
        // The first event was on screen long before the stream ended (4 × 400 ms).
        let firstEvent = try #require(lines.dropFirst().first)
        #expect(exited - firstEvent.at > .milliseconds(900), "events were printed at the end, not as they came")
        let summary = try #require(lines.last?.text)
        #expect(summary.contains(#""events":4"#))
        #expect(lines.allSatisfy { !$0.text.contains("c2lnbmF0dXJl") })
    }

    @Test("a non-2xx answer exits 1")
    func failureStatus() throws {
        let server = try LoopbackServer()
        let process = Process()
        process.executableURL = cli
        process.arguments = ["stream", server.baseURL + "/nowhere"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
    }
}
