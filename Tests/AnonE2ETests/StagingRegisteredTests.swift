import Foundation
import Testing
import AnonE2ETesting
import Contract
import Evidence
import Protocols
import Transport

/// CONTRACT §1 and §4: registered (password) users. One is signed up a run,
/// under REGISTERED_EMAIL_DOMAIN; identities are a budget here too.
@Suite(.requires(.auth, .api), .anonymousUsers, .serialized, .replies(2), .tags(.auth))
struct StagingRegisteredTests {
    let backend = Staging.backend
    var configuration: Configuration { Staging.configuration }

    struct Registered: Sendable {
        let email: String
        let password: String
        let signUp: GoTrueSession
    }

    static let user = Once<Registered>("a registered user")

    func registered() async throws -> Registered {
        try await Self.user.value {
            let domain = Staging.configuration.text(.registeredEmailDomain)
            let email = "e2e-\(UUID().uuidString.prefix(12).lowercased())@\(domain)"
            let password = "pw-" + UUID().uuidString
            Staging.backend.auth.secrets.register(password, label: "a registered user's password")
            let session = try await Staging.backend.auth.signUp(email: email, password: password)
            Staging.evidence.note(TraceNote(kind: .signIn, caseID: Staging.caseID, message: "registered sign-up"))
            return Registered(email: email, password: password, signUp: session)
        }
    }

    @Test("password sign-up and sign-in give tokens of a registered user (is_anonymous false, amr password); a wrong password is 400 invalid_credentials",
          .rules("S1.3", "S1.4", "S1.12"))
    func passwordUsers() async throws {
        let user = try await registered()
        let claims = AccessTokenClaims(issuer: backend.issuer)
        Staging.expect(claims.required(try JWT(user.signUp.accessToken), session: user.signUp, anonymous: false), "the sign-up token")
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
        let conversation = try #require(JSONValue.parse(answer.body)?["conversation_id"]?.string, "no conversation_id: \(answer.status) \(answer.text.prefix(200))")
        let shared = try await backend.http.send(backend.request(.post, backend.url(.sharePath, id: conversation), token: user.signUp.accessToken,
                                                                  traceID: StagingBackend.newTraceID()))
        #expect(shared.status == 200, "the owner's share: \(shared.status) \(shared.text.prefix(200))")
        #expect(JSONValue.parse(shared.body)?["share_url"]?.string?.isEmpty == false, "no share_url: \(shared.text.prefix(200))")
        let anonymous = try await Staging.user("another user's conversation", messages: 1)
        let theirs = try #require(JSONValue.parse(try await backend.messages.json("mine", token: anonymous.accessToken).body)?["conversation_id"]?.string)
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

    @Test("a registered user's message lands with user_type registered in conversations and request_log", .requires(.database), .rules("S5.5", "S5.6", "S2.3", "S2.4"))
    func registeredRows() async throws {
        let user = try await registered()
        let stream = try await backend.messages.stream("registered rows", token: user.signUp.accessToken)
        Staging.expect(StreamInvariants(configuration: configuration).frames(stream), "the registered user's stream")
        let session = try PostgresSession(try configuration.required(.dbConn))
        let file = try SQLAssertionFile(contentsOf: StagingDatabaseTests.sqlDirectory.appendingPathComponent("assertions_registered.sql"))
        let results = file.run(on: session, parameters: ["trace_id": stream.traceID, "user_id": user.signUp.userID])
        try Staging.evidence.record("db_assert_report_registered.md", text: results.markdown(title: "Registered user's rows", parameters: ["trace_id": stream.traceID]))
        for result in results { #expect(result.passed, "\(Staging.redactor.redact(result.failure ?? ""))") }
    }
}
