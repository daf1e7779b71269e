import Testing
import Protocols

/// Who holds the anonymous users a suite or a case leased from the run's pool:
/// set around the suite and around each of its cases by `.anonymousUsers`.
final class LeaseScope: Sendable {
    /// The suite's shared users, leased on first use.
    let suiteUsers = Once<[GoTrueSession]>("the suite's anonymous users")

    @TaskLocal static var suite: LeaseScope?
    @TaskLocal static var testCase: LeaseScope?

    var holder: IdentityPool.Holder { ObjectIdentifier(self) }
}

/// Gives a suite and each of its cases a lease scope: what they lease from the
/// run's anonymous users (`Staging.user`, `Staging.suiteUser`) goes back to the
/// pool when the case, or the suite, ends.
public struct AnonymousUsersTrait: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    /// Around the suite (its shared users) and around each case of each function (its own).
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? { test.isSuite || testCase != nil ? self : nil }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let scope = LeaseScope()
        let pool = Staging.context.identities
        do {
            if test.isSuite {
                try await LeaseScope.$suite.withValue(scope) { try await function() }
            } else {
                try await LeaseScope.$testCase.withValue(scope) { try await function() }
            }
        } catch let error as SkipsTheCase where !test.isSuite && error.skipReason != nil {
            // A shared fixture beyond the budget: this case's rule was not checked.
            await pool.release(scope.holder)
            try Staging.skip(error.skipReason ?? "")
        } catch {
            await pool.release(scope.holder)
            throw error
        }
        await pool.release(scope.holder)
    }
}

extension Trait where Self == AnonymousUsersTrait {
    /// The suite's cases lease anonymous users from the run's budget (S1.18).
    public static var anonymousUsers: Self { AnonymousUsersTrait() }
}
