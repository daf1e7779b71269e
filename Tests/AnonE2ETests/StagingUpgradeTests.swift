import Foundation
import Testing
import AnonE2ETesting
import Contract
import Protocols
import Transport

/// Seed 000 §7 (匿名→注册), CONTRACT S1.16: an anonymous user made permanent
/// with `PUT /auth/v1/user` keeps its id and what it wrote.
@Suite(.requires(.auth, .api), .anonymousUsers, .serialized, .replies(2), .tags(.auth))
struct StagingUpgradeTests {
    let backend = Staging.backend
    var configuration: Configuration { Staging.configuration }

    /// The upgraded user's id, made (and checked at the API) once for the suite.
    static let upgraded = Once<String>("an anonymous user made permanent")

    /// Skips the case where GoTrue leaves a new email unconfirmed: the user stays anonymous.
    func requireAutoconfirm() async throws {
        guard AuthPreconditions(settings: try await backend.auth.settings()).autoconfirm else {
            try Staging.skip("not exercised: \"Confirm email\" is on (mailer_autoconfirm false): the email stays unconfirmed, and the user anonymous, until the link in the mail is followed")
        }
    }

    @Test("an anonymous user given an email, then a password, stays the same user: its id, its conversation, now registered; a password alone is 422, an email in use 422 email_exists",
          .rules("S1.16"))
    func madePermanent() async throws {
        try await requireAutoconfirm()
        _ = try await Self.upgraded.value { try await upgrade() }
    }

    @Test("after the upgrade the app's users row says is_anonymous false", .requires(.database), .rules("S1.16"))
    func upgradedRow() async throws {
        try await requireAutoconfirm()
        let id = try await Self.upgraded.value { try await upgrade() }
        let rows = try PostgresSession(try configuration.required(.dbConn)).query("SELECT is_anonymous::text FROM users WHERE id = $1", [id])
        #expect(try rows.first?.raw("is_anonymous") == "false", "users.is_anonymous after the upgrade: \(rows.map(\.description))")
    }

    /// Makes an anonymous user permanent, checking each step at GoTrue and the API; its id.
    func upgrade() async throws -> String {
        let auth = backend.auth
        // Spent: it leaves the run as a registered user.
        let anonymous = try await Staging.spentUser("made permanent")
        // Thrown as FixtureFailed: Once hands every case that needs the upgrade an error of its own.
        guard let id = anonymous.userID else { throw FixtureFailed(fixture: "an anonymous user made permanent", cause: "the session names no user id") }
        let answer = try await backend.messages.json("a conversation from before the upgrade", token: anonymous.accessToken)
        guard let conversation = MessagesAPI.conversationID(of: answer) else {
            throw FixtureFailed(fixture: "an anonymous user made permanent", cause: "no conversation_id: \(answer.status) \(answer.text.prefix(200))")
        }
        let domain = configuration.text(.registeredEmailDomain)
        let email = "e2e-upgrade-\(UUID().uuidString.prefix(12).lowercased())@\(domain)"
        let password = "pw-" + UUID().uuidString

        // The refusals first, while the user is still anonymous.
        let alone = await #expect(throws: GoTrueError.self) { _ = try await auth.updateUser(accessToken: anonymous.accessToken, ["password": .string(password)]) }
        #expect(alone?.status == 422, "a password alone on an anonymous user: \(String(describing: alone))")
        let taken = "e2e-taken-\(UUID().uuidString.prefix(12).lowercased())@\(domain)"
        // Taken by a sign-up, with a session or without (its answer is S1.3's to judge, not this case's).
        _ = try await auth.signUpAnswer(email: taken, password: password)
        let inUse = await #expect(throws: GoTrueError.self) { _ = try await auth.updateUser(accessToken: anonymous.accessToken, ["email": .string(taken)]) }
        #expect(inUse?.status == 422 && inUse?.code == "email_exists", "an email in use: \(String(describing: inUse))")

        let withEmail = try await auth.updateUser(accessToken: anonymous.accessToken, ["email": .string(email)])
        #expect(withEmail["id"]?.string == id, "PUT /user {email} answered user \(withEmail["id"]?.text ?? "missing"), not \(id)")
        #expect(withEmail["is_anonymous"]?.bool == false, "after the email, is_anonymous is \(withEmail["is_anonymous"]?.text ?? "missing")")
        let withPassword = try await auth.updateUser(accessToken: anonymous.accessToken, ["password": .string(password)])
        #expect(withPassword["id"]?.string == id, "PUT /user {password} answered user \(withPassword["id"]?.text ?? "missing")")

        // A refresh carries what changed: the same sub and session, no longer anonymous, the email.
        let refreshed = try await auth.refresh(anonymous.refreshToken)
        let before = try JWT(anonymous.accessToken).claims, after = try JWT(refreshed.accessToken).claims
        #expect(after["sub"]?.string == id, "the refreshed token's sub is \(after["sub"]?.text ?? "missing")")
        #expect(after["session_id"] == before["session_id"], "the refresh changed session_id")
        #expect(after["is_anonymous"]?.bool == false, "the refreshed token says is_anonymous \(after["is_anonymous"]?.text ?? "missing")")
        #expect(after["email"]?.string == email, "the refreshed token's email is \(after["email"]?.text ?? "missing")")

        // Its conversation is still its own, and the registered-only gate now admits it.
        let read = try await backend.http.send(backend.request(.get, backend.url(.conversationPath, id: conversation), token: refreshed.accessToken,
                                                               traceID: StagingBackend.newTraceID()))
        #expect(read.status == 200, "its conversation after the upgrade: \(read.status) \(read.text.prefix(200))")
        let shared = try await backend.http.send(backend.request(.post, backend.url(.sharePath, id: conversation), token: refreshed.accessToken,
                                                                 traceID: StagingBackend.newTraceID()))
        #expect(shared.status == 200, "sharing after the upgrade (registered-only): \(shared.status) \(shared.text.prefix(200))")

        let signIn = try await auth.signIn(email: email, password: password)
        #expect(signIn.userID == id, "a password sign-in with the new email is user \(signIn.userID ?? "missing"), not \(id)")
        return id
    }
}
