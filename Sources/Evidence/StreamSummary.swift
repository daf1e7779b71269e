import Protocols
import Transport
/// What `anon-e2e stream` saw, counted as it went: its closing line.
public struct StreamSummary: Sendable {
    public var events = 0
    public var comments = 0
    /// Events by type. A run of one type is counted apart and added when the type
    /// changes: hashing every event's type cost more than formatting its line.
    public var byType: [String: Int] {
        guard let runType else { return counted }
        var all = counted
        all[runType, default: 0] += runLength
        return all
    }
    private var counted: [String: Int] = [:]
    private var runType: String?
    private var runLength = 0
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
            if event.type == runType {
                runLength += 1
            } else {
                if let runType { counted[runType, default: 0] += runLength }
                runType = event.type
                runLength = 1
            }
            if firstEventMs == nil { firstEventMs = elapsed }
            lastEventMs = elapsed
        case .comment: comments += 1
        case .retry: break
        }
    }
}
