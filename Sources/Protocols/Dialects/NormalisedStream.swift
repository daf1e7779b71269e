/// One reply stream as CONTRACT §2a reads it, whatever wire format carried it:
/// each frame the dialect understood, in arrival order, with what it means.
public struct NormalisedStream: Sendable {
    /// What one frame of the stream means.
    public enum Part: Sendable, Equatable {
        /// The reply began (`meta`, `message_start`, `response.created`, `start`).
        case start(messageID: String?)
        /// A piece of the reply's text (it may be empty: OpenAI's first chunk).
        case text(String)
        /// A keep-alive: a comment, or the dialect's own `ping` event.
        case ping
        /// Token counts as sent, so that counts sent as strings can be judged.
        case usage(input: JSONValue?, output: JSONValue?)
        /// The one event that ends the reply; `text` where the dialect repeats the whole reply.
        case terminal(reason: String?, text: String?)
        /// `data: [DONE]`: the terminal event itself (OpenAI Chat), or the marker after it (the AI SDK).
        case done
        /// An error inside the stream: the request failed, whatever the HTTP status said.
        case error(JSONValue?)
        /// A frame of a type the dialect does not read (tool calls, reasoning…): tolerated, counted.
        case unknown(String)
        /// A frame the dialect knows but that carries nothing the contract reads (`content_block_stop`).
        case structural(String)
    }

    public struct Element: Sendable {
        public var part: Part
        /// The dialect's order key for the frame (`seq`, `sequence_number`), where it numbers frames.
        public var order: Int?
        public var time: ArrivalTime
        /// The frame's index among the stream's items, for messages that name it.
        public var frame: Int
        public var arrival: ContinuousClock.Instant { time.instant }
    }

    public let dialect: String
    public private(set) var elements: [Element] = []
    /// Frames the dialect could not read, each naming the frame.
    public private(set) var unreadable: [String] = []

    public init(dialect: String) { self.dialect = dialect }

    mutating func append(_ part: Part, order: Int? = nil, time: ArrivalTime, frame: Int) {
        elements.append(Element(part: part, order: order, time: time, frame: frame))
    }

    mutating func unreadable(_ frame: Int, _ type: String, _ problem: String) {
        unreadable.append("frame \(frame) (\(type)): \(problem)")
    }

    /// The reply's text: the deltas joined.
    public var text: String {
        elements.reduce(into: "") { if case let .text(piece) = $1.part { $0 += piece } }
    }

    public var terminals: [Element] { elements.filter { if case .terminal = $0.part { true } else { false } } }
    public var errors: [Element] { elements.filter { if case .error = $0.part { true } else { false } } }
    public var starts: [Element] { elements.filter { if case .start = $0.part { true } else { false } } }
    public var unknownCount: Int { elements.filter { if case .unknown = $0.part { true } else { false } }.count }

    /// The last usage counts the stream sent (Anthropic's output count is cumulative).
    public var usage: (input: JSONValue?, output: JSONValue?)? {
        var found: (input: JSONValue?, output: JSONValue?)?
        for element in elements {
            guard case let .usage(input, output) = element.part else { continue }
            found = (input ?? found?.input, output ?? found?.output)
        }
        return found
    }
}
