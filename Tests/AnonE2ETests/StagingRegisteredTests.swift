import Foundation
import Testing
import AnonE2ETesting
import Contract
import Evidence
import Protocols
import Transport

/// CONTRACT §1 and §4: registered (password) users. With auto-confirm on one
/// is signed up a run, under REGISTERED_EMAIL_DOMAIN; with "Confirm email" on
/// (hosted's default) sign-up gives no session, and the configured
/// pre-confirmed account (ANON_E2E_REGISTERED_EMAIL) is signed in instead.
@Suite(.requires(.auth, .api), .anonymousUsers, .serialized, .replies(2), .tags(.auth))
struct StagingRegisteredTests {
    let backend = Staging.backend
    var configuration: Configuration { Staging.configuration }

    struct Registered: Sendable {
        let email: String
        let password: String
        /// The session the user was had with: its sign-up's, or the configured account's sign-in.
        let signUp: GoTrueSession
        /// What sign-up answered; nil for the configured account (no sign-up was made).
        let signUpAnswer: GoTrueClient.SignUpAnswer?
    }

    static let user = Once<Registered>("a registered user")

    func registered() async throws -> Registered {
        try await Self.user.value {
            let auth = Staging.backend.auth
            let autoconfirm = AuthPreconditions(settings: try await auth.settings()).autoconfirm
            if !autoconfirm, let account = Staging.configuration.registeredAccount {
                let session = try await auth.signIn(email: account.email, password: account.password)
                Staging.evidence.note(TraceNote(kind: .signIn, caseID: Staging.caseID, message: "registered sign-in (the configured account)"))
                return Registered(email: account.email, password: account.password, signUp: session, signUpAnswer: nil)
            }
            let domain = Staging.configuration.text(.registeredEmailDomain)
            let email = "e2e-\(UUID().uuidString.prefix(12).lowercased())@\(domain)"
            let password = "pw-" + UUID().uuidString
            auth.secrets.register(password, label: "a registered user's password")
            let answer = try await auth.signUpAnswer(email: email, password: password)
            Staging.evidence.note(TraceNote(kind: .signIn, caseID: Staging.caseID, message: "registered sign-up"))
            // A sign-up that wrongly held its session back still made a user: sign it in, so only the sign-up case fails.
            let session = if case let .session(session) = answer { session } else { try await auth.signIn(email: email, password: password) }
            return Registered(email: email, password: password, signUp: session, signUpAnswer: answer)
        }
    }

    @Test("with auto-confirm on, password sign-up answers a session of a registered user (is_anonymous false, amr password)",
          .rules("S1.3", "S1.12"))
    func passwordSignUp() async throws {
        let user = try await registered()
        guard let answer = user.signUpAnswer else {
            try Staging.skip("not exercised: \"Confirm email\" is on (mailer_autoconfirm false), so no user is signed up; " +
                             "the configured account ANON_E2E_REGISTERED_EMAIL is signed in instead")
        }
        guard case let .session(session) = answer else {
            Issue.record("auto-confirm is on (mailer_autoconfirm true) but sign-up answered a user and no session")
            return
        }
        Staging.expect(AccessTokenClaims(issuer: backend.issuer).required(try JWT(session.accessToken), session: session, anonymous: false),
                       "the sign-up token")
    }

    @Test("password sign-in gives a token of a registered user (is_anonymous false, amr password); a wrong password is 400 invalid_credentials",
          .rules("S1.4", "S1.12"))
    func passwordUsers() async throws {
        let user = try await registered()
        let claims = AccessTokenClaims(issuer: backend.issuer)
        let signIn = try await backend.auth.signIn(email: user.email, password: user.password)
        Staging.expect(claims.required(try JWT(signIn.accessToken), session: signIn, anonymous: false), "the sign-in token")
        #expect(signIn.user["is_anonymous"]?.bool == false, "user.is_anonymous: \(signIn.user["is_anonymous"]?.text ?? "missing")")
        let error = await #expect(throws: GoTrueError.self) { _ = try await backend.auth.signIn(email: user.email, password: user.password + "x") }
        #expect(error?.status == 400 && error?.code == "invalid_credentials", "a wrong password: \(String(describing: error))")
    }

    @Test("a registered owner shares its conversation (200 share_url); another user's conversation is 404 not_found", .rules("S4.1", "S2.12"))
    func share() async throws {
        let user = try await registered()
        let answer = try await backend.messages.json("a conversation to share", token: user.signUp.accessToken)
        let conversation = try #require(MessagesAPI.conversationID(of: answer), "no conversation_id: \(answer.status) \(answer.text.prefix(200))")
        let shared = try await backend.http.send(backend.request(.post, backend.url(.sharePath, id: conversation), token: user.signUp.accessToken,
                                                                  traceID: StagingBackend.newTraceID()))
        #expect(shared.status == 200, "the owner's share: \(shared.status) \(shared.text.prefix(200))")
        #expect(JSONValue.parse(shared.body)?["share_url"]?.string?.isEmpty == false, "no share_url: \(shared.text.prefix(200))")
        let anonymous = try await Staging.user("another user's conversation", messages: 1)
        let theirs = try #require(MessagesAPI.conversationID(of: try await backend.messages.json("mine", token: anonymous.accessToken)))
        let trace = StagingBackend.newTraceID()
        let refused = try await backend.http.send(backend.request(.post, backend.url(.sharePath, id: theirs), token: user.signUp.accessToken, traceID: trace))
        Staging.expect(ErrorBodyCheck(status: 404, .notFound, traceID: trace, anonymousRefusal: false, configuration: configuration).verdicts(refused),
                       "sharing another user's conversation")
    }

    @Test("registered users have a higher tier: a burst of the anonymous limit + 1 is admitted", .rules("S4.7"))
    func higherTier() async throws {
        let user = try await registered()
        let count = configuration.int(.anonymousQPS) + 1
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<count { group.addTask { try await backend.messages.json("burst \(index)", token: user.signUp.accessToken).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 200 }, "a burst of \(count) from a registered user: \(statuses.sorted())")
        // Out of the burst's window before this user's next case.
        try await Task.sleep(for: .seconds(1.1))
    }

    @Test("/api/v1/admin/* stays 403 policy.admin_only for a registered user who is not an admin", .rules("S4.2", "S3.14"))
    func adminStaysClosed() async throws {
        let user = try await registered()
        let trace = StagingBackend.newTraceID()
        let response = try await backend.http.send(backend.request(.get, backend.url(.adminPath), token: user.signUp.accessToken, traceID: trace))
        Staging.expect(ErrorBodyCheck(status: 403, .adminOnly, traceID: trace, anonymousRefusal: false, configuration: configuration).verdicts(response),
                       "a registered non-admin on the admin route")
    }

    @Test("a registered user's message lands with user_type registered in conversations and request_log", .requires(.database), .rules("S5.5", "S5.6", "S2.3", "S2.4", "S2.14"))
    func registeredRows() async throws {
        let user = try await registered()
        let stream = try await backend.messages.stream("registered rows", token: user.signUp.accessToken)
        Staging.expect(StreamInvariants(configuration: configuration).frames(stream), "the registered user's stream")
        let session = try PostgresSession(try configuration.required(.dbConn))
        let file = try SQLAssertionFile(contentsOf: StagingDatabaseTests.sqlDirectory.appendingPathComponent("assertions_registered.sql"))
        let read = try await Staging.persisted(stream.traceID) {
            file.run(on: session, parameters: ["trace_id": stream.traceID, "user_id": user.signUp.userID])
        } holds: { $0.allSatisfy(\.passed) }
        try Staging.evidence.record("db_assert_report_registered.md", text: read.value.markdown(title: "Registered user's rows", parameters: ["trace_id": stream.traceID]))
        for result in read.value { #expect(result.passed, "\(Staging.redactor.redact(result.failure ?? "")) (\(read.description))") }
    }
}
