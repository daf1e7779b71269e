/// One dispatched event of an event stream (WHATWG HTML, "Server-sent events").
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event` field; "message" when the event had none (or an empty one).
    public var type: String
    public var data: String
    /// The `id` field of this event's block, when it had one that was not ignored.
    public var id: String?
    /// The last event ID in force when the event was dispatched (`MessageEvent.lastEventId`).
    public var lastEventId: String
    /// When the dispatching blank line arrived.
    public var time: ArrivalTime
    /// The monotonic instant the dispatching blank line arrived.
    public var arrival: ContinuousClock.Instant {
        get { time.instant }
        set { time = ArrivalTime(newValue) }
    }

    /// Equality ignores the arrival instant: two streams carry the same events
    /// whatever their timing.
    public static func == (a: Self, b: Self) -> Bool {
        a.type == b.type && a.data == b.data && a.id == b.id && a.lastEventId == b.lastEventId
    }
}

// In an extension, so the struct keeps its memberwise initializer: the parser builds
// events with it, and an explicit one there made each event copied and destroyed once more.
extension ServerSentEvent {
    public init(type: String = "message", data: String, id: String? = nil, lastEventId: String = "", arrival: ContinuousClock.Instant = .now) {
        self.init(type: type, data: data, id: id, lastEventId: lastEventId, time: ArrivalTime(arrival))
    }
}

/// What an event stream yields: events, and comments, which the standard
/// ignores but a suite asserts on (`: ping` heartbeats).
public enum EventStreamItem: Sendable, Equatable {
    case event(ServerSentEvent)
    /// The comment's text after the colon, with the arrival of its line.
    case comment(String, arrival: ArrivalTime)
    /// A valid `retry` field: the reconnection time in milliseconds.
    case retry(Int, arrival: ArrivalTime)

    public var event: ServerSentEvent? {
        if case let .event(event) = self { return event }
        return nil
    }

    public var arrival: ContinuousClock.Instant { time.instant }

    public var time: ArrivalTime {
        switch self {
        case let .event(event): event.time
        case let .comment(_, time), let .retry(_, time): time
        }
    }

    public static func == (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case let (.event(x), .event(y)): x == y
        case let (.comment(x, _), .comment(y, _)): x == y
        case let (.retry(x, _), .retry(y, _)): x == y
        default: false
        }
    }
}
