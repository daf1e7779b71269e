import Foundation

/// The AI SDK's UI message stream (v5 and later): typed parts in `data:` lines,
/// `text-delta`, `finish`, then `data: [DONE]`; errors as `error` or `abort` parts.
public struct AISDKUIDialect: StreamDialect {
    public var name: String { "ai-sdk-ui" }
    public var hasStart: Bool { true }
    public var numbersFrames: Bool { false }
    public var carriesUsage: Bool { false }

    public init() {}

    public func read(_ event: ServerSentEvent) -> DialectReading {
        if event.data.trimmingCharacters(in: .whitespaces) == "[DONE]" { return .parts([.done]) }
        return object(event).reading { part in
            let type = part["type"]?.string ?? ""
            switch type {
            case "start": return .parts([.start(messageID: part["messageId"]?.string)])
            case "text-delta": return .parts([.text(part["delta"]?.string ?? "")])
            case "finish": return .parts([.terminal(reason: part["finishReason"]?.string, text: nil)])
            case "error", "abort": return .parts([.error(part)])
            case "start-step", "finish-step", "text-start", "text-end", "message-metadata": return .parts([.structural(type)])
            default: return .parts([.unknown(type.isEmpty ? "a part with no type" : type)])
            }
        }
    }

    /// useChat always streams.
    public func answer(_ body: JSONValue) -> DialectAnswer? { nil }

    public func errorShapeProblem(_ body: JSONValue?) -> String? {
        guard body?["type"]?.string == "error" else { return nil }
        return body?["errorText"]?.string == nil ? "the error part has no errorText: \(body?.text.prefix(200) ?? "not JSON")" : nil
    }
}
