import Foundation
import Protocols

/// The body of `POST /api/v1/messages` in the shape the backend reads: the
/// dialect's usual request (CONTRACT §2a), or the team's `REQUEST_TEMPLATE`.
public struct MessageRequestBody: Sendable {
    public let dialect: String
    public let model: String
    /// A JSON template whose "{{prompt}}", "{{system}}", "{{conversation_id}}", "{{model}}" and
    /// "{{stream}}" (quoted, as JSON strings) are replaced by the values, JSON-encoded.
    public let template: String?

    public init(dialect: String, model: String = "default", template: String? = nil) {
        self.dialect = dialect
        self.model = model
        self.template = template
    }

    public init(configuration: Configuration) {
        self.init(dialect: configuration.text(.streamDialect), model: configuration.text(.model), template: configuration[.requestTemplate])
    }

    public func render(_ prompt: String, conversation: String? = nil, system: String? = nil, stream: Bool) -> String {
        if let template { return Self.fill(template, prompt: prompt, conversation: conversation, system: system, model: model, stream: stream) }
        var body: [String: JSONValue]
        let user: JSONValue = ["role": "user", "content": .string(prompt)]
        switch dialect {
        case "openai-chat":
            body = ["model": .string(model), "stream": .bool(stream),
                    "messages": .array((system.map { [["role": "system", "content": .string($0)]] } ?? []) + [user])]
            if stream { body["stream_options"] = ["include_usage": true] }
        case "openai-responses":
            body = ["model": .string(model), "input": .string(prompt), "stream": .bool(stream)]
            if let system { body["instructions"] = .string(system) }
        case "anthropic":
            body = ["model": .string(model), "max_tokens": 1024, "messages": [user], "stream": .bool(stream)]
            if let system { body["system"] = .string(system) }
        case "ai-sdk-ui":
            // What useChat sends: the chat's id and UI messages made of parts.
            body = ["messages": [["id": .string(UUID().uuidString), "role": "user", "parts": [["type": "text", "text": .string(prompt)]]]],
                    "trigger": "submit-message"]
            if let system { body["system"] = .string(system) }
        default:
            body = ["messages": [user]]
            if let system { body["system"] = .string(system) }
        }
        // The contract's own field where the dialect has none: which conversation the message joins.
        if let conversation { body[dialect == "ai-sdk-ui" ? "id" : "conversation_id"] = .string(conversation) }
        return JSONValue.object(body).text
    }

    /// The template with its placeholders filled: strings JSON-encoded, a missing value `null`.
    static func fill(_ template: String, prompt: String, conversation: String?, system: String?, model: String, stream: Bool) -> String {
        let values: [(String, JSONValue)] = [("prompt", .string(prompt)), ("system", system.map(JSONValue.string) ?? .null),
                                             ("conversation_id", conversation.map(JSONValue.string) ?? .null), ("model", .string(model)),
                                             ("stream", .bool(stream))]
        return values.reduce(template) { text, pair in text.replacingOccurrences(of: "\"{{\(pair.0)}}\"", with: pair.1.text) }
    }

    /// What is wrong with the template, if anything: it must be JSON once filled.
    public var templateProblem: String? {
        guard let template else { return nil }
        let filled = Self.fill(template, prompt: "p", conversation: "c", system: "s", model: model, stream: true)
        return JSONValue.parse(filled)?.object == nil ? "not a JSON object once filled: \(filled.prefix(200))" : nil
    }
}
