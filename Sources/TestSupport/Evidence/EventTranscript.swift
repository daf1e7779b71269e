/// An event stream as a log: one line per event or comment, with its arrival
/// in milliseconds since the request started (`sse.log`).
public struct EventTranscript: Sendable {
    public let started: ContinuousClock.Instant
    public private(set) var items: [EventStreamItem] = []

    public init(started: ContinuousClock.Instant) {
        self.started = started
    }

    public mutating func append(_ item: EventStreamItem) { items.append(item) }

    public func milliseconds(_ item: EventStreamItem) -> Double {
        (item.arrival - started).inMilliseconds
    }

    public var text: String {
        items.map { item in
            let time = "+\(Int(milliseconds(item)))ms"
            switch item {
            case let .event(event):
                return "\(time) event=\(event.type) id=\(event.id ?? "-") data=\(event.data.replacingOccurrences(of: "\n", with: "\\n"))"
            case let .comment(text, _):
                return "\(time) comment=\(text)"
            case let .retry(milliseconds, _):
                return "\(time) retry=\(milliseconds)"
            }
        }.joined(separator: "\n") + "\n"
    }
}
