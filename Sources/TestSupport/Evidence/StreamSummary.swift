/// What `anon-e2e stream` saw, counted as it went: its closing line.
public struct StreamSummary: Sendable {
    public var events = 0
    public var comments = 0
    public var byType: [String: Int] = [:]
    public var firstEventMs: Double?
    public var lastEventMs: Double?
    public var bytes: Int64 = 0
    public var ending = ""
    public var timings: TransferTimings?

    public init() {}

    public mutating func count(_ item: EventStreamItem, at elapsed: Double) {
        switch item {
        case let .event(event):
            events += 1
            byType[event.type, default: 0] += 1
            if firstEventMs == nil { firstEventMs = elapsed }
            lastEventMs = elapsed
        case .comment: comments += 1
        case .retry: break
        }
    }
}
