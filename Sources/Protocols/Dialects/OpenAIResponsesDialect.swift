/// OpenAI's Responses events: every event numbered by `sequence_number`, text in
/// `response.output_text.delta`, ended by `response.completed`, `.incomplete` or `.failed`.
public struct OpenAIResponsesDialect: StreamDialect {
    public var name: String { "openai-responses" }
    public var hasStart: Bool { true }
    public var numbersFrames: Bool { true }
    public var carriesUsage: Bool { true }

    public init() {}

    public func read(_ event: ServerSentEvent) -> DialectReading {
        object(event).reading { data in
            let type = data["type"]?.string ?? event.type
            let order = data["sequence_number"]?.int
            switch type {
            case "response.created": return .parts([.start(messageID: data["response"]?["id"]?.string)], order: order)
            case "response.output_text.delta": return .parts([.text(data["delta"]?.string ?? "")], order: order)
            case "response.completed", "response.incomplete", "response.failed":
                let response = data["response"]
                var parts: [NormalisedStream.Part] = []
                if let usage = response?["usage"], usage != .null { parts.append(.usage(input: usage["input_tokens"], output: usage["output_tokens"])) }
                // A failed response is an error inside the stream, and its end.
                if type == "response.failed" { parts.append(.error(response?["error"] ?? data)) }
                parts.append(.terminal(reason: response?["status"]?.string, text: nil))
                return .parts(parts, order: order)
            case "error": return .parts([.error(data)], order: order)
            case "response.in_progress", "response.output_item.added", "response.output_item.done", "response.content_part.added",
                 "response.content_part.done", "response.output_text.done":
                return .parts([.structural(type)], order: order)
            default: return .parts([.unknown(type)], order: order)
            }
        }
    }

    public func answer(_ body: JSONValue) -> DialectAnswer? {
        // The text parts of the message items, joined (what the SDKs call output_text).
        let parts = (body["output"]?.array ?? []).flatMap { $0["content"]?.array ?? [] }.filter { $0["type"]?.string == "output_text" }
        return DialectAnswer(text: parts.isEmpty ? nil : parts.compactMap { $0["text"]?.string }.joined(), id: body["id"]?.string)
    }

    public func errorShapeProblem(_ body: JSONValue?) -> String? {
        // An `error` event carries code and message; a failed response its `error` object.
        body?["message"]?.string == nil ? "the error event has no message: \(body?.text.prefix(200) ?? "not JSON")" : nil
    }
}
