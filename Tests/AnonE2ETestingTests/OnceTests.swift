@testable import AnonE2ETesting
import Testing

/// A shared fixture that fails must fail every case that needs it.
@Suite struct OnceTests {
    /// What `#require` throws: an error Swift Testing counts as recorded already.
    struct AlreadyRecorded: Error {}

    @Test("every caller of a failed fixture gets an error of its own, naming the fixture and the cause")
    func failureReachesEveryCaller() async {
        let once = Once<Int>("one streamed hello")
        for _ in 0..<3 {
            await #expect {
                try await once.value { throw AlreadyRecorded() }
            } throws: { error in
                guard let failed = error as? FixtureFailed else { return false }
                return failed.fixture == "one streamed hello" && failed.cause.contains("AlreadyRecorded")
            }
        }
    }

    @Test("a fixture beyond the sign-in budget skips every caller with the reason, also through a fixture that needs it")
    func budgetSkipsEveryCaller() async {
        let users = Once<Int>("the suite's users")
        let session = Once<Int>("a session and its refusals")
        for _ in 0..<2 {
            await #expect {
                try await session.value { try await users.value { throw IdentityPool.Refusal.beyondBudget("two users with ten messages") } }
            } throws: { error in
                (error as? FixtureSkipped)?.reason == "two users with ten messages"
            }
        }
    }

    @Test("a fixture that succeeds is computed once and shared")
    func computedOnce() async throws {
        let once = Once<Int>("a number")
        let counter = Counter()
        for _ in 0..<3 { #expect(try await once.value { await counter.next() } == 1) }
        #expect(await counter.count == 1)
    }

    actor Counter {
        var count = 0
        func next() -> Int { count += 1; return count }
    }
}
