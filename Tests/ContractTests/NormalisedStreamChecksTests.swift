import Foundation
import Testing
@testable import Contract
import Protocols

/// S2.14 over each dialect: the documented transcript holds every check; each
/// way real backends break a dialect fails the check that names it.
@Suite struct NormalisedStreamChecksTests {
    static func transcript(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/dialects/\(name).sse")
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func failed(_ dialectName: String, _ text: String) throws -> [String] {
        let dialect = try #require(StreamDialects.named(dialectName))
        var parser = EventStreamParser()
        let items = try parser.feed(Array(text.utf8))
        parser.finish()
        return NormalisedStreamChecks(dialect: dialect).verdicts(dialect.normalise(items), closedByServer: true).filter { !$0.passed }.map(\.check)
    }

    @Test("every documented transcript holds every check",
          arguments: ["native", "openai-chat", "openai-responses", "anthropic", "ai-sdk-ui"])
    func documented(_ name: String) throws {
        #expect(try Self.failed(name, try Self.transcript(name)) == [])
    }

    struct Break: Sendable, CustomTestStringConvertible {
        let dialect: String
        let what: String
        let change: @Sendable (String) -> String
        let fails: String
        var testDescription: String { "\(dialect): \(what)" }
    }

    static let breaks: [Break] = [
        Break(dialect: "openai-chat", what: "[DONE] missing", change: { $0.replacingOccurrences(of: "data: [DONE]\n\n", with: "") },
              fails: "exactly one terminal event"),
        Break(dialect: "openai-chat", what: "usage as strings", change: { $0.replacingOccurrences(of: #""completion_tokens":7"#, with: #""completion_tokens":"7""#) },
              fails: "usage counts are integers"),
        Break(dialect: "openai-chat", what: "an error chunk in a 200 stream",
              change: { $0.replacingOccurrences(of: "data: [DONE]", with: "data: {\"error\":{\"message\":\"model overloaded\",\"type\":\"server_error\"}}\n\ndata: [DONE]") },
              fails: "no error frame inside the 200 stream"),
        Break(dialect: "openai-responses", what: "a sequence_number gap",
              change: { $0.replacingOccurrences(of: #"event: response.output_text.done"#, with: "event: dropped").replacingOccurrences(of: "data: {\"type\":\"response.output_text.done\"", with: ": dropped {") },
              fails: "frames numbered without a gap or a step back"),
        Break(dialect: "anthropic", what: "message_stop before the last delta",
              change: { $0.replacingOccurrences(of: "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", with: "")
                  .replacingOccurrences(of: "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo",
                                        with: "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo") },
              fails: "nothing after the terminal event but [DONE] and pings"),
        Break(dialect: "ai-sdk-ui", what: "text after the terminal event",
              change: { $0.replacingOccurrences(of: "data: [DONE]", with: "data: {\"type\":\"text-delta\",\"id\":\"t1\",\"delta\":\"!\"}\n\ndata: [DONE]") },
              fails: "nothing after the terminal event but [DONE] and pings"),
        Break(dialect: "anthropic", what: "an overloaded error event", change: { $0.replacingOccurrences(of: "event: message_stop\ndata: {\"type\":\"message_stop\"}",
              with: "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}") },
              fails: "no error frame inside the 200 stream"),
        Break(dialect: "native", what: "the deltas do not join to final.content", change: { $0.replacingOccurrences(of: "\"Hello, wörld\"", with: "\"Hello\"") },
              fails: "the deltas join to the terminal event's text"),
    ]

    @Test("each way a backend breaks its dialect fails the check that names it", arguments: breaks)
    func broken(_ broken: Break) throws {
        let original = try Self.transcript(broken.dialect)
        let changed = broken.change(original)
        try #require(changed != original, "the change did not apply")
        #expect(try Self.failed(broken.dialect, changed).contains(broken.fails))
    }
}
