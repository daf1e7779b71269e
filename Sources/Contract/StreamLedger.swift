import Protocols
import Transport
/// Every message stream the process read, reduced to what the heartbeat
/// rule needs: the rule ("a ping while no frame is due") holds on every
/// stream, not only on the one the heartbeat case opens.
public actor StreamLedger {
    public struct Entry: Sendable {
        public let traceID: String
        /// The longest time without a byte, from the head on.
        public let longestSilence: Duration
        /// The longest time without a frame other than a ping (a comment, or the dialect's `ping`
        /// event): a ping was due when it passed the interval.
        public let longestWithoutEvent: Duration
        public let pings: Int
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public func add(_ stream: MessageStream) {
        guard (200..<300).contains(stream.head.status), !stream.transcript.items.isEmpty else { return }
        let elements = stream.normalised.elements
        var previous = stream.transcript.headArrival, longest = Duration.zero
        for element in elements where element.part != .ping {
            longest = max(longest, element.arrival - previous)
            previous = element.arrival
        }
        entries.append(Entry(traceID: stream.traceID, longestSilence: stream.transcript.longestSilence,
                             longestWithoutEvent: longest, pings: elements.filter { $0.part == .ping }.count))
    }
}

/// CONTRACT.md §2: "while no frame is due the server sends a comment line at
/// least every SSE_PING_INTERVAL seconds". Whatever the backend's ping timer
/// does (reset on every frame or not), no silence may outlast the interval
/// plus slack for the network and the scheduler.
public struct HeartbeatRule: Sendable {
    public let interval: Duration
    public var slack: Duration { max(interval / 2, .milliseconds(500)) }

    public init(configuration: Configuration) {
        interval = configuration.duration(.pingInterval)
    }

    /// A stream exercised the rule when some stretch without events outlasted the interval.
    public func exercised(_ entry: StreamLedger.Entry) -> Bool { entry.longestWithoutEvent > interval }

    public func verdict(_ entry: StreamLedger.Entry) -> Verdict {
        Verdict("no silence longer than SSE_PING_INTERVAL (\(interval)) + \(slack)", passed: entry.longestSilence <= interval + slack,
                detail: String(format: "trace %@: longest silence %.2f s, longest stretch without an event %.2f s, %d pings",
                               entry.traceID, entry.longestSilence.inMilliseconds / 1000, entry.longestWithoutEvent.inMilliseconds / 1000, entry.pings))
    }
}
