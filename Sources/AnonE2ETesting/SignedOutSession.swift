import Protocols
import Transport

/// A session signed out with `POST /auth/v1/logout?scope=global`, and GoTrue's
/// answer to it. One a run: every sign-out spends a user of the sign-in budget.
public struct SignedOutSession: Sendable {
    public let session: GoTrueSession
    public let logout: HTTPResponse
}

extension Staging {
    /// The run's signed-out session, made by the first case that asks (its user spent):
    /// the cases that check GoTrue's answer and the API's after it share one sign-out.
    public static func signedOutSession() async throws -> SignedOutSession {
        guard let scope = LeaseScope.testCase else { throw outsideScope("signedOutSession") }
        return try await context.signedOut.value {
            let session = try await context.identities.spend(for: scope.holder, fresh: false, purpose: "a signed-out session")
            let logout = try await context.backend.auth.call(.post, "/logout?scope=global", bearer: session.accessToken)
            return SignedOutSession(session: session, logout: logout)
        }
    }
}
