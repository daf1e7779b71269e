import Foundation
import Testing
import AnonE2ETesting
import Contract
import Protocols
import Transport

/// Seed 000, step A: a real anonymous JWT from Supabase Auth, and what it must carry.
@Suite(.requires(.auth, .api), .anonymousUsers, .replies(1), .tags(.auth))
struct StagingAuthTests {
    let backend = Staging.backend

    func session() async throws -> GoTrueSession { try await Staging.suiteUser(messages: 0) }

    @Test("anonymous sign-in answers a GoTrue session", .rules("S1.2", "S1.9"), .tags(.criticalNormal))
    func anonymousSession() async throws {
        let session = try await session()
        Staging.expect([
            Verdict("token_type is bearer", passed: session.tokenType?.lowercased() == "bearer", detail: session.tokenType),
            Verdict("expires_in is positive", passed: (session.expiresIn ?? 0) > 0, detail: session.expiresIn.map(String.init)),
            Verdict("a refresh token", passed: !session.refreshToken.isEmpty),
            Verdict("user.is_anonymous is true", passed: session.user["is_anonymous"]?.bool == true, detail: session.user["is_anonymous"]?.text),
            Verdict("user.id is a UUID", passed: session.userID.flatMap(UUID.init(uuidString:)) != nil, detail: session.userID),
            Verdict("user.created_at is ISO 8601", passed: session.user["created_at"]?.string.flatMap(Self.iso8601) != nil, detail: session.user["created_at"]?.text),
            Verdict("expires_at is about now + expires_in", passed: session.expiresAt.map { abs(Double($0) - Date().timeIntervalSince1970 - Double(session.expiresIn ?? 0)) < 120 } ?? false,
                    detail: "expires_at \(session.expiresAt.map(String.init) ?? "missing"), expires_in \(session.expiresIn.map(String.init) ?? "missing")"),
        ] + Self.userObject(session.user, anonymous: true), "the sign-in session")
    }

    @Test("the access token carries the claims of an anonymous user", .rules("S1.12", "S1.13"))
    func anonymousClaims() async throws {
        let session = try await session()
        let token = try JWT(session.accessToken)
        let expectations = AccessTokenClaims(issuer: backend.issuer)
        let required = expectations.required(token, session: session)
        let recommended = expectations.recommended(token)
        try Staging.evidence.record("token.json", json: TokenEvidence(token: token, session: session, checks: required + recommended))
        Staging.noteExchange(traceID: nil, request: backend.template.request(.post, backend.supabaseURL + "/auth/v1/signup"), status: 200, artifacts: ["token.json"])
        Staging.expect(required, "the access token")
        for verdict in recommended.failures { Staging.warn("access token: expected \(verdict.check) (\(verdict.detail ?? ""))") }
    }

    @Test("the signature verifies against the JWKS key named by kid, or the legacy secret for HS256", .rules("S1.11", "S1.8"))
    func signatureVerifies() async throws {
        let token = try JWT(try await session().accessToken)
        let keys = try await backend.auth.jwks()
        let check = try token.verifySignature(keys: keys, legacySecret: Staging.configuration[.supabaseJWTSecret])
        if case .legacySecret = check {
            Staging.warn("the access token is HS256 (legacy shared secret), not a JWKS key")
        }
        for key in keys {
            #expect(key.fields["d"] == nil, "the JWKS publishes a private key (kid \(key.kid ?? "?"))")
        }
    }

    @Test("GET /auth/v1/user returns the same user", .rules("S1.6"))
    func currentUser() async throws {
        let session = try await session()
        let user = try await backend.auth.user(accessToken: session.accessToken)
        #expect(user["id"]?.string == session.userID, "GET /user returned \(user["id"]?.text ?? "no id"), signed in as \(session.userID ?? "?")")
        #expect(user["is_anonymous"]?.bool == true)
    }

    @Test("refresh rotates within the session; the parent of the active token is answered with the active one, an older one after the reuse interval is refused and ends the session",
          .rules("S1.5", "S1.14", "S1.11"))
    func refreshRotates() async throws {
        let original = try await Staging.spentUser("refresh: an older token ends the session")
        let refreshed = try await backend.auth.refresh(original.refreshToken)
        #expect(refreshed.refreshToken != original.refreshToken, "the refresh token was not rotated")
        let before = try JWT(original.accessToken), after = try JWT(refreshed.accessToken)
        // The refreshed token is checked like the first: its signature and its claims.
        _ = try after.verifySignature(keys: try await backend.auth.jwks(), legacySecret: Staging.configuration[.supabaseJWTSecret])
        Staging.expect(AccessTokenClaims(issuer: backend.issuer).required(after, session: refreshed), "the refreshed access token")
        #expect(after.claims["session_id"] == before.claims["session_id"], "session_id changed on refresh")
        #expect(after.claims["amr"] == before.claims["amr"], "amr changed on refresh")
        #expect(after.claims["sub"] == before.claims["sub"])

        // GoTrue's idempotent refresh: the parent of the active token, reused, answers the active token.
        let again = try await backend.auth.refresh(original.refreshToken)
        #expect(again.refreshToken == refreshed.refreshToken, "reusing the parent of the active refresh token must answer the active one")
        #expect(try JWT(again.accessToken).claims["session_id"] == before.claims["session_id"])

        // One more rotation makes the original an older token; after the reuse interval its reuse is refused…
        let latest = try await backend.auth.refresh(refreshed.refreshToken)
        try await Task.sleep(for: Staging.configuration.duration(.refreshReuseInterval) + .seconds(1))
        let error = await #expect(throws: GoTrueError.self, "an older refresh token reused after the interval") {
            _ = try await backend.auth.refresh(original.refreshToken)
        }
        #expect(error?.status == 400 && error?.code == "refresh_token_already_used", "the older refresh token: \(String(describing: error))")
        // …and the session is over: its active token is refused too.
        let ended = await #expect(throws: GoTrueError.self, "the session's active refresh token after a refused reuse") {
            _ = try await backend.auth.refresh(latest.refreshToken)
        }
        #expect(ended.map { (400..<500).contains($0.status ?? 0) } ?? true, "the ended session's refresh: \(String(describing: ended)); a refusal is a 4xx, not a server error")
    }

    @Test("a user the run keeps by refresh keeps working: the refreshed access token is accepted by the API; the run stays within its sign-in budget",
          .rules("S1.18", "S1.14"))
    func keptByRefresh() async throws {
        let session = try await Staging.user("a session kept by refresh", messages: 1)
        // A token refreshed within seconds of the sign-in could not be told from the first one.
        if let signedIn = try JWT(session.accessToken).claims["iat"]?.number {
            let wait = signedIn + 3.5 - Date().timeIntervalSince1970
            if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
        }
        // Refreshed here, not through the pool: the user's next holder keeps the first token, so a
        // backend that breaks refreshed tokens fails this case and no other.
        let refreshed = try await backend.auth.refresh(session.refreshToken)
        let response = try await backend.messages.json("kept by refresh", token: refreshed.accessToken)
        #expect(response.status == 200, "the refreshed access token was refused: \(response.status) \(Staging.redactor.redact(String(response.text.prefix(300))))")
        let signIns = await Staging.signIns
        #expect(signIns.spent <= signIns.budget, "\(signIns.spent) anonymous sign-ins, over the budget of \(signIns.budget)")
    }

    @Test("after sign-out an API that checks live sessions refuses the old access token (401 auth.session_revoked); one that verifies the JWT alone is reported", .rules("S1.15", "S3.12"))
    func signOutRevokes() async throws {
        let session = try await Staging.signedOutSession().session
        let trace = StagingBackend.newTraceID()
        let request = backend.messages.request("hello", token: session.accessToken, traceID: trace)
        let response = try await backend.http.send(request)
        let verdicts = ErrorBodyCheck(status: 401, .sessionRevoked, traceID: trace, anonymousRefusal: false, configuration: Staging.configuration).verdicts(response)
        try Staging.record("signout_refused.json", request: request, response: response, traceID: trace, verdicts: verdicts)
        if Staging.configuration.bool(.revocationChecked) {
            Staging.expect(verdicts, "the API after sign-out")
        } else if response.status != 401 {
            // Supabase documents that tokens of signed-out sessions stay valid until exp for an API that verifies the JWT alone.
            Staging.warn("the API answered \(response.status) to an access token after sign-out (SESSION_REVOCATION_CHECKED=false: " +
                         "it verifies the JWT alone; set it to true when the API checks live sessions)")
        }
    }

    /// The user object of CONTRACT §1, field by field.
    static func userObject(_ user: [String: JSONValue], anonymous: Bool) -> [Verdict] {
        var verdicts = ["id", "aud", "role", "email", "phone", "is_anonymous", "app_metadata", "user_metadata", "identities",
                        "created_at", "updated_at", "last_sign_in_at"].map { key in
            Verdict("user.\(key) is present", passed: user[key] != nil, detail: user[key]?.text ?? "missing")
        }
        verdicts.append(Verdict("user.aud and user.role are authenticated", passed: user["aud"]?.string == "authenticated" && user["role"]?.string == "authenticated",
                                detail: "aud \(user["aud"]?.text ?? "missing"), role \(user["role"]?.text ?? "missing")"))
        verdicts.append(Verdict("user.is_anonymous is \(anonymous)", passed: user["is_anonymous"]?.bool == anonymous, detail: user["is_anonymous"]?.text))
        return verdicts
    }

    static func iso8601(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

/// `token.json`: the token reduced to header.claims.<redacted>, decoded, and the verdicts.
struct TokenEvidence: Encodable {
    let token: String
    let header: [String: JSONValue]
    let claims: [String: JSONValue]
    let expiresIn: Int?
    let checks: [Verdict]

    init(token: JWT, session: GoTrueSession, checks: [Verdict]) {
        self.token = token.redacted
        header = token.header
        claims = token.claims
        expiresIn = session.expiresIn
        self.checks = checks
    }
}

extension Tag {
    @Tag static var auth: Self
    @Tag static var stream: Self
    @Tag static var database: Self
    @Tag static var policy: Self
    @Tag static var observability: Self
    /// The stability plan's critical cases (ci/stages): the loop's normal path, run
    /// 20 times in a row, and its refusals, run 10 times (`anon-e2e cases --tag`).
    @Tag static var criticalNormal: Self
    @Tag static var criticalRefusal: Self
}
