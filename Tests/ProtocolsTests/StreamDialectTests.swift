import Foundation
import Testing
@testable import Protocols

/// Each dialect of CONTRACT §2a read from a transcript written from its
/// documented frames (Tests/Fixtures/dialects), split at every byte.
@Suite struct StreamDialectTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        let name: String
        let input: Int?
        let output: Int?
        let unknown: Int
        let starts: Int
        var testDescription: String { name }
    }

    static let dialects = [
        Expected(name: "native", input: 3, output: 4, unknown: 0, starts: 1),
        Expected(name: "openai-chat", input: 13, output: 7, unknown: 0, starts: 0),
        Expected(name: "openai-responses", input: 5, output: 2, unknown: 0, starts: 1),
        Expected(name: "anthropic", input: 25, output: 15, unknown: 1, starts: 1),
        Expected(name: "ai-sdk-ui", input: nil, output: nil, unknown: 1, starts: 1),
    ]

    static func transcript(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/dialects/\(name).sse")
        return Array(try Data(contentsOf: url))
    }

    static func items(_ chunks: [ArraySlice<UInt8>]) throws -> [EventStreamItem] {
        var parser = EventStreamParser()
        var items: [EventStreamItem] = []
        for chunk in chunks { items += try parser.feed(chunk) }
        parser.finish()
        return items
    }

    @Test("the transcript reads to its text, one terminal event, its usage; unknown types counted; the same at every split", arguments: dialects)
    func reads(_ expected: Expected) throws {
        let dialect = try #require(StreamDialects.named(expected.name))
        let bytes = try Self.transcript(expected.name)
        let whole = dialect.normalise(try Self.items([bytes[...]]))
        #expect(whole.text == "Hello, wörld")
        #expect(whole.terminals.count == 1)
        #expect(whole.unreadable.isEmpty, "\(whole.unreadable)")
        #expect(whole.usage?.input?.int == expected.input && whole.usage?.output?.int == expected.output)
        #expect(whole.unknownCount == expected.unknown)
        #expect(whole.starts.count == expected.starts)
        #expect(whole.elements.contains { $0.part == .ping } == ["native", "openai-chat", "anthropic"].contains(expected.name))
        for split in 1..<bytes.count {
            let parts = dialect.normalise(try Self.items([bytes[..<split], bytes[split...]])).elements.map(\.part)
            #expect(parts == whole.elements.map(\.part), "split at byte \(split)")
        }
    }

    @Test("a frame the dialect cannot read is reported, naming the frame")
    func unreadableFrame() throws {
        let stream = OpenAIChatDialect().normalise(try Self.items([Array("data: {\"choices\":[\n\ndata: [DONE]\n\n".utf8)[...]]))
        #expect(stream.unreadable == ["frame 0 (message): data is not a JSON object: {\"choices\":["])
        #expect(stream.terminals.count == 1)
    }

    @Test("a custom mapping reads an OpenAI-like stream as openai-chat does")
    func customMapping() throws {
        let dialect = try CustomDialect(json: #"{"text":"choices.0.delta.content","terminal":"[DONE]","error":"error","usage_input":"usage.prompt_tokens","usage_output":"usage.completion_tokens"}"#)
        let stream = dialect.normalise(try Self.items([try Self.transcript("openai-chat")[...]]))
        #expect(stream.text == "Hello, wörld")
        #expect(stream.terminals.count == 1)
        #expect(stream.usage?.output?.int == 7)
        #expect(throws: DialectMappingError.self) { try CustomDialect(json: #"{"terminal":"[DONE]"}"#) }
    }

    @Test("time to first token, chunk gaps, latency and time per output token are vLLM bench serve's on the same arrivals")
    func timingAsVLLM() throws {
        // A chat stream whose first chunk carries text (vLLM's TTFT counts the first chunk with choices,
        // empty or not; the contract's the first non-empty delta: the two agree on such a stream).
        let frames = [#"{"choices":[{"index":0,"delta":{"role":"assistant","content":"He"}}]}"#,
                      #"{"choices":[{"index":0,"delta":{"content":"llo"}}]}"#,
                      #"{"choices":[{"index":0,"delta":{"content":", wö"}}]}"#,
                      #"{"choices":[{"index":0,"delta":{"content":"rld"},"finish_reason":"stop"}]}"#,
                      #"{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":5}}"#, "[DONE]"]
        let start = ContinuousClock.now
        let offsets: [Duration] = [.microseconds(812_345), .microseconds(851_002), .microseconds(903_117), .microseconds(1_004_999),
                                   .microseconds(1_005_210), .microseconds(1_005_400)]
        var parser = EventStreamParser()
        var items: [EventStreamItem] = []
        for (frame, offset) in zip(frames, offsets) { items += try parser.feed(Array("data: \(frame)\n\n".utf8), arrival: start + offset) }
        let timing = StreamTiming(OpenAIChatDialect().normalise(items), started: start)

        // vLLM's loop (benchmarks/lib/endpoint_request_func.py, openai-chat), in seconds as it keeps them.
        var ttft = 0.0, itl: [Double] = [], mostRecent = 0.0, outputTokens = 0
        for (frame, offset) in zip(frames, offsets) where frame != "[DONE]" {
            let timestamp = offset.seconds
            let data = try #require(JSONValue.parse(frame))
            if let choices = data["choices"]?.array, !choices.isEmpty {
                if ttft == 0 { ttft = timestamp } else { itl.append(timestamp - mostRecent) }
            } else if let usage = data["usage"] {
                outputTokens = usage["completion_tokens"]?.int ?? 0
            }
            mostRecent = timestamp
        }
        let latency = mostRecent, tpot = (latency - ttft) / Double(outputTokens - 1)

        func close(_ a: Duration?, _ b: Double) -> Bool { a.map { abs($0.seconds - b) < 1e-6 } ?? false }
        #expect(close(timing.timeToFirstToken, ttft))
        #expect(timing.chunkGaps.count == itl.count)
        for (gap, expected) in zip(timing.chunkGaps, itl) { #expect(close(gap, expected)) }
        #expect(close(timing.latency, latency))
        #expect(close(timing.timePerOutputToken, tpot))
        #expect(timing.outputTokens == outputTokens)
    }
}
