/// Anthropic's Messages events: `message_start` (input usage), `content_block_delta`
/// with `text_delta`, `message_delta` (cumulative output usage), `message_stop`, `ping`.
public struct AnthropicDialect: StreamDialect {
    public var name: String { "anthropic" }
    public var hasStart: Bool { true }
    public var numbersFrames: Bool { false }
    public var carriesUsage: Bool { true }

    public init() {}

    public func read(_ event: ServerSentEvent) -> DialectReading {
        object(event).reading { data in
            let type = data["type"]?.string ?? event.type
            switch type {
            case "message_start":
                let message = data["message"]
                return .parts([.start(messageID: message?["id"]?.string),
                               .usage(input: message?["usage"]?["input_tokens"], output: nil)])
            case "content_block_delta":
                // Other deltas (thinking, tool input) are not the reply's text.
                guard data["delta"]?["type"]?.string == "text_delta" else { return .parts([.unknown(data["delta"]?["type"]?.string ?? type)]) }
                return .parts([.text(data["delta"]?["text"]?.string ?? "")])
            case "message_delta":
                return .parts([.usage(input: nil, output: data["usage"]?["output_tokens"]), .structural("stop_reason")])
            case "message_stop": return .parts([.terminal(reason: nil, text: nil)])
            case "ping": return .parts([.ping])
            case "error": return .parts([.error(data)])
            case "content_block_start", "content_block_stop": return .parts([.structural(type)])
            default: return .parts([.unknown(type)])
            }
        }
    }

    public func answer(_ body: JSONValue) -> DialectAnswer? {
        let texts = (body["content"]?.array ?? []).filter { $0["type"]?.string == "text" }.compactMap { $0["text"]?.string }
        return DialectAnswer(text: texts.isEmpty ? nil : texts.joined(), id: body["id"]?.string)
    }

    public func errorShapeProblem(_ body: JSONValue?) -> String? {
        body?["error"]?["type"]?.string == nil || body?["error"]?["message"]?.string == nil
            ? "the error event is not {\"type\":\"error\",\"error\":{\"type\",\"message\"}}: \(body?.text.prefix(200) ?? "not JSON")" : nil
    }
}
