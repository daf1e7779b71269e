import Foundation
import Hummingbird

/// The caller of a protected route: the bearer token verified, its session
/// still live (sign-out revokes), and the facts recorded for the logs.
struct Authenticator: Sendable {
    let verifier: TokenVerifier
    let store: Store

    func authenticate(_ request: Request, context: AppContext) async throws -> VerifiedToken {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("auth.missing_token", "no bearer token")
        }
        guard header.lowercased().hasPrefix("bearer "), case let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces), !token.isEmpty else {
            throw APIError.unauthorized("auth.missing_token", "the Authorization header is not 'Bearer <token>'")
        }
        let verified = try verifier.verify(token)
        context.facts.set {
            $0.userID = verified.userID
            $0.userType = verified.isAnonymous ? "anonymous" : "registered"
        }
        guard try await store.sessionExists(verified.sessionID) else {
            throw APIError.unauthorized("auth.session_revoked", "the session of this token was signed out")
        }
        return verified
    }
}
