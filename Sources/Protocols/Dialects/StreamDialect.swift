/// A wire format a reply stream speaks: how its frames map to the normalised
/// stream CONTRACT §2a judges (`STREAM_DIALECT`).
public protocol StreamDialect: Sendable {
    /// The `STREAM_DIALECT` value.
    var name: String { get }
    /// Whether the dialect opens with a start event the contract can require.
    var hasStart: Bool { get }
    /// Whether it numbers its frames, so that a gap in the numbers is a lost frame.
    var numbersFrames: Bool { get }
    /// Whether its stream carries token counts (OpenAI Chat's only when asked: the usual body asks).
    var carriesUsage: Bool { get }
    /// The meaning of one event; comments are pings in every dialect.
    func read(_ event: ServerSentEvent) -> DialectReading
    /// What is wrong with an in-stream error's body for this dialect, if anything.
    func errorShapeProblem(_ body: JSONValue?) -> String?
    /// The reply and its id in the JSON (non-stream) answer; nil for a dialect that always streams.
    func answer(_ body: JSONValue) -> DialectAnswer?
}

/// The reply a JSON answer carries, read the dialect's way.
public struct DialectAnswer: Sendable, Equatable {
    public var text: String?
    public var id: String?

    public init(text: String?, id: String?) {
        self.text = text
        self.id = id
    }
}

/// What a dialect made of one event.
public enum DialectReading: Sendable {
    case parts([NormalisedStream.Part], order: Int? = nil)
    case unreadable(String)
}

extension StreamDialect {
    /// The whole stream, item by item.
    public func normalise(_ items: [EventStreamItem]) -> NormalisedStream {
        var stream = NormalisedStream(dialect: name)
        for (index, item) in items.enumerated() {
            switch item {
            case let .comment(_, time): stream.append(.ping, time: time, frame: index)
            case .retry: continue
            case let .event(event):
                switch read(event) {
                case let .parts(parts, order):
                    for part in parts { stream.append(part, order: order, time: event.time, frame: index) }
                case let .unreadable(problem): stream.unreadable(index, event.type, problem)
                }
            }
        }
        return stream
    }

    /// Whether the event carries a piece of the reply's text, or ends it: the model has answered.
    public func answers(_ event: ServerSentEvent) -> Bool {
        guard case let .parts(parts, _) = read(event) else { return false }
        return parts.contains { if case .text = $0 { true } else if case .terminal = $0 { true } else { false } }
    }

    /// The event's data as a JSON object, or why not.
    func object(_ event: ServerSentEvent) -> Result<JSONValue, DialectProblem> {
        guard let value = JSONValue.parse(event.data), value.object != nil else {
            return .failure(DialectProblem("data is not a JSON object: \(event.data.prefix(120))"))
        }
        return .success(value)
    }
}

struct DialectProblem: Error {
    let text: String
    init(_ text: String) { self.text = text }
}

extension Result where Success == JSONValue, Failure == DialectProblem {
    /// Reads the object with `body`, or reports the frame unreadable.
    func reading(_ body: (JSONValue) -> DialectReading) -> DialectReading {
        switch self {
        case let .success(value): body(value)
        case let .failure(problem): .unreadable(problem.text)
        }
    }
}

/// The dialects by their `STREAM_DIALECT` names (`custom` is made from its mapping).
public enum StreamDialects {
    public static let names = ["native", "openai-chat", "openai-responses", "anthropic", "ai-sdk-ui", "custom"]

    /// The built-in dialect of that name; `native` with the contract's event names.
    public static func named(_ name: String, native: NativeDialect = NativeDialect()) -> (any StreamDialect)? {
        switch name {
        case "native": native
        case "openai-chat": OpenAIChatDialect()
        case "openai-responses": OpenAIResponsesDialect()
        case "anthropic": AnthropicDialect()
        case "ai-sdk-ui": AISDKUIDialect()
        default: nil
        }
    }
}
