import Foundation

/// A team's own wire format, declared in `STREAM_DIALECT_MAPPING` as JSON:
///
///     {"text": "choices.0.delta.content", "terminal": "type=done", "error": "error",
///      "usage_input": "usage.in", "usage_output": "usage.out", "message_id": "id", "done": false}
///
/// Paths are dot-separated keys into the event's data (a number indexes an array);
/// `terminal` is `[DONE]`, `event=<name>` (the SSE event name) or `<path>=<value>`;
/// `done`: a `data: [DONE]` follows the terminal event.
public struct CustomDialect: StreamDialect {
    public struct Mapping: Sendable, Equatable {
        public var text: [String]
        public var terminal: String
        public var error: [String]?
        public var usageInput: [String]?
        public var usageOutput: [String]?
        public var messageID: [String]?
        public var done: Bool
    }

    public var name: String { "custom" }
    public var hasStart: Bool { mapping.messageID != nil }
    public var numbersFrames: Bool { false }
    public var carriesUsage: Bool { mapping.usageOutput != nil || mapping.usageInput != nil }
    public let mapping: Mapping

    public init(mapping: Mapping) { self.mapping = mapping }

    /// The mapping from its JSON, or what is wrong with it.
    public init(json: String) throws(DialectMappingError) {
        guard let value = JSONValue.parse(json), value.object != nil else { throw DialectMappingError("not a JSON object") }
        func path(_ key: String) -> [String]? { value[key]?.string.map { $0.split(separator: ".").map(String.init) } }
        guard let text = path("text") else { throw DialectMappingError("no \"text\" path (where a frame carries a piece of the reply)") }
        guard let terminal = value["terminal"]?.string else { throw DialectMappingError("no \"terminal\" ([DONE], event=<name> or <path>=<value>)") }
        mapping = Mapping(text: text, terminal: terminal, error: path("error"), usageInput: path("usage_input"), usageOutput: path("usage_output"),
                          messageID: path("message_id"), done: value["done"]?.bool ?? false)
    }

    public func read(_ event: ServerSentEvent) -> DialectReading {
        let isDone = event.data.trimmingCharacters(in: .whitespaces) == "[DONE]"
        if isDone { return .parts(mapping.terminal == "[DONE]" ? [.done, .terminal(reason: nil, text: nil)] : [.done]) }
        let data = JSONValue.parse(event.data)
        if mapping.terminal.hasPrefix("event="), event.type == mapping.terminal.dropFirst(6) { return .parts([.terminal(reason: nil, text: nil)]) }
        guard let data, data.object != nil else { return .unreadable("data is not a JSON object: \(event.data.prefix(120))") }
        if let path = mapping.error, let error = Self.value(data, path), error != .null { return .parts([.error(data)]) }
        var parts: [NormalisedStream.Part] = []
        if let path = mapping.messageID, let id = Self.value(data, path)?.string { parts.append(.start(messageID: id)) }
        if let text = Self.value(data, mapping.text)?.string { parts.append(.text(text)) }
        let input = mapping.usageInput.flatMap { Self.value(data, $0) }, output = mapping.usageOutput.flatMap { Self.value(data, $0) }
        if input != nil || output != nil { parts.append(.usage(input: input, output: output)) }
        if let (path, expected) = terminalMatch, Self.value(data, path)?.string == expected { parts.append(.terminal(reason: nil, text: nil)) }
        return .parts(parts.isEmpty ? [.unknown(data["type"]?.string ?? event.type)] : parts)
    }

    public func errorShapeProblem(_ body: JSONValue?) -> String? { nil }

    /// The mapping's text path, read in the whole answer.
    public func answer(_ body: JSONValue) -> DialectAnswer? {
        DialectAnswer(text: Self.value(body, mapping.text)?.string, id: mapping.messageID.flatMap { Self.value(body, $0)?.string })
    }

    /// `<path>=<value>`: the terminal frame is the one whose value at path is that.
    private var terminalMatch: ([String], String)? {
        guard !mapping.terminal.hasPrefix("event="), mapping.terminal != "[DONE]", let sign = mapping.terminal.firstIndex(of: "=") else { return nil }
        return (mapping.terminal[..<sign].split(separator: ".").map(String.init), String(mapping.terminal[mapping.terminal.index(after: sign)...]))
    }

    static func value(_ json: JSONValue, _ path: [String]) -> JSONValue? {
        path.reduce(Optional(json)) { node, key in Int(key).flatMap { node?[$0] } ?? node?[key] }
    }
}

/// A `STREAM_DIALECT_MAPPING` that cannot be read.
public struct DialectMappingError: Error, CustomStringConvertible {
    public let description: String
    init(_ problem: String) { description = "STREAM_DIALECT_MAPPING: \(problem)" }
}
