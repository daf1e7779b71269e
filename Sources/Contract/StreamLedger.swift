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
        /// The longest stretch without an event that held no ping either.
        public let longestUnpinged: Duration
        public let pings: Int
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public func add(_ stream: MessageStream) {
        guard (200..<300).contains(stream.head.status), !stream.transcript.items.isEmpty else { return }
        let elements = stream.normalised.elements
        var previous = stream.transcript.headArrival, longest = Duration.zero, unpinged = Duration.zero, pinged = false
        for element in elements {
            guard element.part != .ping else { pinged = true; continue }
            longest = max(longest, element.arrival - previous)
            if !pinged { unpinged = max(unpinged, element.arrival - previous) }
            previous = element.arrival
            pinged = false
        }
        entries.append(Entry(traceID: stream.traceID, longestSilence: stream.transcript.longestSilence,
                             longestWithoutEvent: longest, longestUnpinged: unpinged, pings: elements.filter { $0.part == .ping }.count))
    }
}

/// CONTRACT.md §2: "while no frame is due the server sends a comment line at
/// least every SSE_PING_INTERVAL seconds". Whatever the backend's ping timer
/// does (reset on every frame or not), no silence may outlast the interval
/// plus slack for the network and the scheduler, and a stretch without events
/// longer than the interval holds a ping (a timer of that period fires in it).
public struct HeartbeatRule: Sendable {
    public let interval: Duration
    /// A quarter of the interval: pings 1.4 intervals apart are late, whatever the model's pauses.
    public var slack: Duration { max(interval / 4, .milliseconds(300)) }
    /// How far past the interval a stretch without events may run before it must have held a ping.
    public var unpingedSlack: Duration { max(slack / 2, .milliseconds(200)) }

    public init(configuration: Configuration) {
        interval = configuration.duration(.pingInterval)
    }

    /// A stream exercised the rule when some stretch without events outlasted the interval.
    public func exercised(_ entry: StreamLedger.Entry) -> Bool { entry.longestWithoutEvent > interval }

    public func verdict(_ entry: StreamLedger.Entry) -> Verdict {
        Verdict("no silence longer than SSE_PING_INTERVAL (\(interval)) + \(slack), and a ping in every stretch without events longer than it + \(unpingedSlack)",
                passed: entry.longestSilence <= interval + slack && entry.longestUnpinged <= interval + unpingedSlack,
                detail: String(format: "trace %@: longest silence %.2f s, longest stretch without an event %.2f s (without a ping %.2f s), %d pings",
                               entry.traceID, entry.longestSilence.inMilliseconds / 1000, entry.longestWithoutEvent.inMilliseconds / 1000,
                               entry.longestUnpinged.inMilliseconds / 1000, entry.pings))
    }
}
