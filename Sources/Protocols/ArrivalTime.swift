/// When a byte of a stream arrived, as its offset from a process-wide anchor.
/// `ContinuousClock.Instant` is a resilient type: an event or item holding one
/// has no layout known at compile time, and every copy, wrap and match of it is
/// a runtime call. A `Duration` is two words, so events move at memory speed.
public struct ArrivalTime: Sendable {
    private static let anchor = ContinuousClock.now
    public let offset: Duration

    public init(_ instant: ContinuousClock.Instant) { offset = instant - Self.anchor }

    public static var now: ArrivalTime { ArrivalTime(.now) }

    public var instant: ContinuousClock.Instant { Self.anchor.advanced(by: offset) }
}
