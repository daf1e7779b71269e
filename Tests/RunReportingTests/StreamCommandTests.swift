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

    /// Runs `anon-e2e stream` on a transcript the loopback server plays back; its JSON lines.
    func replay(_ transcript: String, dialect: String) throws -> (status: Int32, lines: [[String: Any]]) {
        let server = try LoopbackServer()
        let process = Process()
        process.executableURL = cli
        process.arguments = ["stream", server.baseURL + "/echo", "--data", transcript, "-H", "Content-Type: text/event-stream", "--dialect", dialect, "--jsonl"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        return (process.terminationStatus, lines)
    }

    static func transcript(_ name: String) throws -> String {
        try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/dialects/\(name).sse"), encoding: .utf8)
    }

    @Test("--dialect prints the text, the end and the usage the recorded transcript holds",
          arguments: [("native", 4), ("openai-chat", 7), ("openai-responses", 2), ("anthropic", 15), ("ai-sdk-ui", nil)] as [(String, Int?)])
    func dialectSummary(_ name: String, _ outputTokens: Int?) throws {
        let (status, lines) = try replay(try Self.transcript(name), dialect: name)
        #expect(status == 0)
        let summary = try #require(lines.last { $0["kind"] as? String == "dialect" })
        #expect(summary["text"] as? String == "Hello, wörld")
        #expect(summary["terminal_events"] as? Int == 1)
        #expect(summary["output_tokens"] as? Int == outputTokens)
        #expect((summary["failed_checks"] as? [String])?.isEmpty == true, "\(summary)")
    }

    @Test("an error chunk inside a 200 stream fails the command, naming the frame")
    func errorChunk() throws {
        let transcript = try Self.transcript("openai-chat").replacingOccurrences(
            of: "data: [DONE]", with: "data: {\"error\":{\"message\":\"model overloaded\",\"type\":\"server_error\"}}\n\ndata: [DONE]")
        let (status, lines) = try replay(transcript, dialect: "openai-chat")
        #expect(status == 1)
        let failed = try #require(lines.last { $0["kind"] as? String == "dialect" }?["failed_checks"] as? [String])
        #expect(failed.contains { $0.contains("no error frame inside the 200 stream") && $0.contains("model overloaded") })
    }

    @Test("--jsonl carries each event's lastEventId: the last id seen, kept across events without one")
    func lastEventID() throws {
        let (_, lines) = try replay("id: 7\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\n", dialect: "native")
        let events = lines.filter { $0["kind"] as? String == "event" }
        #expect(events.map { $0["last_event_id"] as? String } == ["7", "7", "8"])
        #expect(events.map { $0["id"] is NSNull } == [false, true, false])
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
