import Foundation

/// OpenAI Chat Completions chunks (and vLLM, SGLang, llama.cpp, TGI): no event
/// names, `choices[0].delta.content`, a usage chunk with empty `choices`, then `data: [DONE]`.
public struct OpenAIChatDialect: StreamDialect {
    public var name: String { "openai-chat" }
    public var hasStart: Bool { false }
    public var numbersFrames: Bool { false }
    public var carriesUsage: Bool { true }

    public init() {}

    public func read(_ event: ServerSentEvent) -> DialectReading {
        // `[DONE]` is the marker and the terminal event both; the finish reason came in an earlier chunk.
        if event.data.trimmingCharacters(in: .whitespaces) == "[DONE]" { return .parts([.done, .terminal(reason: nil, text: nil)]) }
        return object(event).reading { chunk in
            if let error = chunk["error"], error != .null { return .parts([.error(chunk)]) }
            var parts: [NormalisedStream.Part] = []
            // `choices` may be empty or null (the usage chunk, some servers).
            if let choice = chunk["choices"]?[0] {
                if let content = choice["delta"]?["content"]?.string { parts.append(.text(content)) }
                if let reason = choice["finish_reason"]?.string { parts.append(.structural("finish_reason \(reason)")) }
            }
            if let usage = chunk["usage"], usage != .null { parts.append(.usage(input: usage["prompt_tokens"], output: usage["completion_tokens"])) }
            return .parts(parts.isEmpty ? [.structural("chunk")] : parts)
        }
    }

    public func answer(_ body: JSONValue) -> DialectAnswer? {
        DialectAnswer(text: body["choices"]?[0]?["message"]?["content"]?.string, id: body["id"]?.string)
    }

    public func errorShapeProblem(_ body: JSONValue?) -> String? {
        body?["error"]?["message"]?.string == nil ? "the error chunk has no error.message: \(body?.text.prefix(200) ?? "not JSON")" : nil
    }
}
