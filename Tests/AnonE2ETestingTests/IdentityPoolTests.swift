import Foundation
import Testing
@testable import AnonE2ETesting
@testable import Protocols

/// The run's anonymous users (S1.18): the budget holds, users are reused,
/// a request beyond the budget is refused with its reason, a 429 once.
@Suite struct IdentityPoolTests {
    /// Sign-ins that make sessions locally and count themselves.
    final class FakeAuth: Sendable {
        let count = Counter()
        let refuseAfter: Int

        init(refuseAfter: Int = .max) { self.refuseAfter = refuseAfter }

        func signIn() async throws -> GoTrueSession {
            let n = await count.next()
            if n > refuseAfter { throw GoTrueError.refused(status: 429, code: "over_request_rate_limit", message: "Request rate limit reached") }
            return try GoTrueSession(.object(["access_token": .string("access-\(n)"), "refresh_token": .string("refresh-\(n)"),
                                              "expires_at": .number(Date().timeIntervalSince1970 + 3600), "user": .object(["id": .string("user-\(n)")])]))
        }
    }

    actor Counter {
        private(set) var value = 0
        func next() -> Int { value += 1; return value }
    }

    final class Holder {}

    func pool(_ auth: FakeAuth, budget: Int = 3, allowance: Int = 10) -> IdentityPool {
        IdentityPool(budget: budget, allowance: allowance, cooldown: .milliseconds(10), wait: .seconds(2),
                     signIn: { try await auth.signIn() }, refresh: { _ in try await auth.signIn() })
    }

    @Test("released users are leased again; no more sign-ins than the budget, one kept for a fresh user")
    func reuse() async throws {
        let auth = FakeAuth()
        let pool = pool(auth)
        let (a, b) = (Holder(), Holder())
        let first = try await pool.lease(2, messages: 1, for: ObjectIdentifier(a), purpose: "two")
        await pool.release(ObjectIdentifier(a))
        try await Task.sleep(for: .milliseconds(20))
        let again = try await pool.lease(2, messages: 1, for: ObjectIdentifier(b), purpose: "two again")
        #expect(Set(again.map(\.accessToken)) == Set(first.map(\.accessToken)))
        let fresh = try await pool.spend(for: ObjectIdentifier(b), fresh: true, purpose: "fresh")
        #expect(!first.map(\.accessToken).contains(fresh.accessToken))
        #expect(await pool.signIns == 3)
    }

    @Test("a request no user can ever meet is refused as beyond the budget, naming it")
    func beyondBudget() async throws {
        let pool = pool(FakeAuth(), allowance: 5)
        let holder = Holder()
        let error = await #expect(throws: IdentityPool.Refusal.self) {
            _ = try await pool.lease(1, messages: 6, for: ObjectIdentifier(holder), purpose: "six messages")
        }
        guard case let .beyondBudget(reason)? = error else { Issue.record("not beyond the budget: \(String(describing: error))"); return }
        #expect(reason.contains("six messages") && reason.contains("ANON_DAILY_QUOTA"))
        let spent = try await pool.lease(2, messages: 5, for: ObjectIdentifier(holder), purpose: "all of two")
        #expect(spent.count == 2)
        let none = await #expect(throws: IdentityPool.Refusal.self) {
            _ = try await pool.lease(1, messages: 1, for: ObjectIdentifier(Holder()), purpose: "one more")
        }
        #expect(none.map { if case .beyondBudget = $0 { true } else { false } } == true, "\(String(describing: none))")
    }

    @Test("a 429 at sign-in is reported once; later requests make do with the users there are")
    func signInRefused() async throws {
        let pool = pool(FakeAuth(refuseAfter: 1))
        let (a, b) = (Holder(), Holder())
        _ = try await pool.lease(1, messages: 1, for: ObjectIdentifier(a), purpose: "first")
        let refused = await #expect(throws: IdentityPool.Refusal.self) {
            _ = try await pool.lease(1, messages: 1, for: ObjectIdentifier(b), purpose: "second")
        }
        #expect(refused.map { if case .signInRefused = $0 { true } else { false } } == true)
        #expect(refused?.description.contains("120 s") == true)
        await pool.release(ObjectIdentifier(a))
        try await Task.sleep(for: .milliseconds(20))
        let reused = try await pool.lease(1, messages: 1, for: ObjectIdentifier(b), purpose: "reused")
        #expect(reused[0].accessToken == "access-1")
    }

    @Test("the last sign-ins are spared while a case's user will come back; a suite's is not waited for")
    func spareSignIns() async throws {
        for tenure in [IdentityPool.Tenure.testCase, .suite] {
            let auth = FakeAuth()
            let pool = pool(auth, budget: 4)
            let (a, b) = (Holder(), Holder())
            _ = try await pool.lease(1, messages: 1, for: ObjectIdentifier(a), lasting: tenure, purpose: "held")
            async let another = pool.lease(1, messages: 1, for: ObjectIdentifier(b), purpose: "another")
            // A case's user comes back while the other request waits; a suite's stays held.
            if tenure == .testCase {
                try await Task.sleep(for: .milliseconds(50))
                await pool.release(ObjectIdentifier(a))
            }
            _ = try await another
            #expect(await pool.signIns == (tenure == .testCase ? 1 : 2), "held for \(tenure)")
        }
    }

    /// Nothing to mask in these tests.
    struct NoSecrets: SecretKeeper {
        func register(_ secret: String, label: String) {}
        func fingerprint(_ secret: String, label: String) {}
    }

    @Test("users kept in ANON_E2E_IDENTITY_CACHE serve the next run without a sign-in, with today's messages left; an ended one is dropped")
    func keptAcrossRuns() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("identities-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let cache = IdentityCache(url: file, secrets: NoSecrets())
        let first = IdentityPool(budget: 3, allowance: 10, cooldown: .milliseconds(10), wait: .seconds(2), cache: cache,
                                 signIn: { try await FakeAuth().signIn() }, refresh: { _ in try await FakeAuth().signIn() })
        let holder = Holder()
        let signedIn = try await first.lease(1, messages: 4, for: ObjectIdentifier(holder), purpose: "first run")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "the kept sessions are the owner's only")

        let auth = FakeAuth()
        let next = IdentityPool(budget: 3, allowance: 10, cooldown: .milliseconds(10), wait: .seconds(2), cache: cache,
                                signIn: { try await auth.signIn() }, refresh: { _ in try await auth.signIn() })
        let reused = try await next.lease(1, messages: 6, for: ObjectIdentifier(holder), purpose: "next run")
        #expect(reused[0].accessToken == signedIn[0].accessToken)
        #expect(await next.signIns == 0)
        // 4 + 6 of 10 spent today: a seventh message needs a new user.
        _ = try await next.lease(1, messages: 1, for: ObjectIdentifier(Holder()), purpose: "one more")
        #expect(await next.signIns == 1)

        // A kept session that ended since (its refresh refused) is dropped and replaced.
        let expired = try GoTrueSession(.object(["access_token": "old", "refresh_token": "old-refresh", "expires_at": 1, "user": ["id": "gone"]]))
        cache.save([(expired, 10)])
        let ended = IdentityPool(budget: 3, allowance: 10, cooldown: .milliseconds(10), wait: .seconds(2), cache: cache,
                                 signIn: { try await auth.signIn() },
                                 refresh: { _ in throw GoTrueError.refused(status: 400, code: "refresh_token_not_found", message: "Invalid Refresh Token") })
        let replaced = try await ended.lease(1, messages: 1, for: ObjectIdentifier(Holder()), purpose: "after the end")
        #expect(replaced[0].accessToken != "old")
        #expect(await ended.signIns == 1)
    }
}
