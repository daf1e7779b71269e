import Foundation

/// The per-user limits of CONTRACT.md §4: a sliding one-second request
/// window, a daily message quota (UTC days), and a number of open streams.
/// A refused request is charged nothing.
public actor RateLimiter {
    private var windows: [UUID: [ContinuousClock.Instant]] = [:]
    private var daily: [UUID: (day: Int, count: Int)] = [:]
    private var open: [UUID: Int] = [:]
    private let clock = ContinuousClock()

    public init() {}

    /// The sliding window: admitted when fewer than `limit` requests were
    /// admitted in the last second.
    public func admitRequest(_ user: UUID, limit: Int, now: ContinuousClock.Instant = .now) throws(APIError) {
        var admitted = windows[user, default: []].filter { now - $0 < .seconds(1) }
        if admitted.count >= limit {
            let wait = (admitted[0] + .seconds(1)) - now
            windows[user] = admitted
            throw APIError(.tooManyRequests, "rate_limit.qps", "over \(limit) requests per second",
                           hint: "", retryAfter: max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0)))
        }
        admitted.append(now)
        windows[user] = admitted
    }

    /// The daily quota and, for a stream, a slot: both checked before either is taken.
    public func admitMessage(_ user: UUID, quota: Int, streams: Int?, today: Int = RateLimiter.utcDay()) throws(APIError) {
        var used = daily[user] ?? (today, 0)
        if used.day != today { used = (today, 0) }
        if used.count >= quota {
            throw APIError(.tooManyRequests, "rate_limit.daily_quota", "the daily quota of \(quota) messages is used up",
                           hint: "", retryAfter: RateLimiter.secondsToMidnight())
        }
        if let streams, open[user, default: 0] >= streams {
            throw APIError(.tooManyRequests, "rate_limit.sse_concurrency", "\(streams) streams are already open",
                           hint: "", retryAfter: 1)
        }
        used.count += 1
        daily[user] = used
        if streams != nil { open[user, default: 0] += 1 }
    }

    /// A stream slot for a resumed stream (no message is charged).
    public func openStream(_ user: UUID, limit: Int) throws(APIError) {
        if open[user, default: 0] >= limit {
            throw APIError(.tooManyRequests, "rate_limit.sse_concurrency", "\(limit) streams are already open", hint: "", retryAfter: 1)
        }
        open[user, default: 0] += 1
    }

    /// One message charged without admitting anything (the refusals-charged fault).
    public func charge(_ user: UUID, today: Int = RateLimiter.utcDay()) {
        var used = daily[user] ?? (today, 0)
        if used.day != today { used = (today, 0) }
        used.count += 1
        daily[user] = used
    }

    public func closeStream(_ user: UUID) {
        open[user] = max(0, open[user, default: 0] - 1)
    }

    public func openStreams(_ user: UUID) -> Int { open[user, default: 0] }

    public static func utcDay(_ date: Date = Date()) -> Int { Int(date.timeIntervalSince1970) / 86_400 }

    static func secondsToMidnight(_ date: Date = Date()) -> Int { 86_400 - Int(date.timeIntervalSince1970) % 86_400 }
}
