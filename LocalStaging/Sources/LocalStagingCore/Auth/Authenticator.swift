import Foundation
import Hummingbird

/// The caller of a protected route: the bearer token verified, its session
/// still live (sign-out revokes), and the facts recorded for the logs.
struct Authenticator: Sendable {
    let verifier: TokenVerifier
    let store: Store
    var checksRevocation = true
    var faults: Set<Fault> = []

    func authenticate(_ request: Request, context: AppContext) async throws -> VerifiedToken {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized(faults.contains(.missingTokenCode) ? "auth.required" : "auth.missing_token", "no bearer token")
        }
        guard header.lowercased().hasPrefix("bearer "), case let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces), !token.isEmpty else {
            throw APIError.unauthorized("auth.missing_token", "the Authorization header is not 'Bearer <token>'")
        }
        let verified = try verifier.verify(token)
        context.facts.set {
            $0.userID = verified.userID
            $0.userType = verified.isAnonymous ? "anonymous" : "registered"
        }
        if faults.contains(.refreshedTokenRefused), verified.refreshed, verified.isAnonymous {
            throw APIError.unauthorized("auth.session_revoked", "an anonymous session is not extended: only the token of the sign-in is accepted")
        }
        try await requireLiveSession(verified)
        return verified
    }

    /// A token that verifies and whose session was not signed out (Socket.IO, GoTrue's own calls).
    func live(_ token: String) async throws -> VerifiedToken {
        let verified = try verifier.verify(token)
        try await requireLiveSession(verified)
        return verified
    }

    private func requireLiveSession(_ token: VerifiedToken) async throws {
        guard checksRevocation else { return }
        guard try await store.sessionExists(token.sessionID) else {
            throw APIError.unauthorized(faults.contains(.revokedCode) ? "auth.invalid_token" : "auth.session_revoked", "the session of this token was signed out")
        }
    }
}
