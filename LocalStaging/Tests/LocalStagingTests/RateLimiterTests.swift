import Foundation
import Testing
@testable import LocalStagingCore

@Suite("RateLimiter")
struct RateLimiterTests {
    let user = UUID()

    @Test("the sliding window admits the limit per second and refuses the next with Retry-After")
    func slidingWindow() async throws {
        let limiter = RateLimiter()
        let start = ContinuousClock.now
        for offset in 0..<5 { try await limiter.admitRequest(user, limit: 5, now: start + .milliseconds(offset * 100)) }
        let refusal = await #expect(throws: APIError.self) { try await limiter.admitRequest(user, limit: 5, now: start + .milliseconds(900)) }
        #expect(refusal?.code == "rate_limit.qps")
        #expect(refusal?.status == .tooManyRequests)
        #expect(refusal?.retryAfter == 1)
        // A refused request is not counted: one second after the first, one slot is free again.
        try await limiter.admitRequest(user, limit: 5, now: start + .milliseconds(1001))
        await #expect(throws: APIError.self) { try await limiter.admitRequest(user, limit: 5, now: start + .milliseconds(1050)) }
    }

    @Test("a third stream is refused; closing one frees its slot; refusals are not charged")
    func streamsAndQuota() async throws {
        let limiter = RateLimiter()
        try await limiter.admitMessage(user, quota: 3, streams: 2)
        try await limiter.admitMessage(user, quota: 3, streams: 2)
        let third = await #expect(throws: APIError.self) { try await limiter.admitMessage(user, quota: 3, streams: 2) }
        #expect(third?.code == "rate_limit.sse_concurrency")
        await limiter.closeStream(user)
        try await limiter.admitMessage(user, quota: 3, streams: 2)
        // Three messages charged (the refusal was not): the quota is used up.
        let quota = await #expect(throws: APIError.self) { try await limiter.admitMessage(user, quota: 3, streams: nil) }
        #expect(quota?.code == "rate_limit.daily_quota")
        #expect((quota?.retryAfter ?? 0) > 0)
    }

    @Test("the daily quota starts again on a new UTC day")
    func newDay() async throws {
        let limiter = RateLimiter()
        try await limiter.admitMessage(user, quota: 1, streams: nil, today: 100)
        await #expect(throws: APIError.self) { try await limiter.admitMessage(user, quota: 1, streams: nil, today: 100) }
        try await limiter.admitMessage(user, quota: 1, streams: nil, today: 101)
    }
}
