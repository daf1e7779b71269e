import Foundation
import Testing
import AnonE2ETesting
import Contract
import Evidence
import Protocols
import Transport

/// Seed 000 五 J2/J3 (匿名不得越权、匿名写公开资源被拒), CONTRACT S4.9: the database's
/// Row Level Security, as the anonymous user itself meets it. Every statement runs as
/// `authenticated` with the user's own claims, in a transaction that is rolled back.
@Suite(.requires(.auth, .api, .database), .anonymousUsers, .replies(1), .tags(.database, .policy))
struct StagingRLSTests {
    let backend = Staging.backend
    var configuration: Configuration { Staging.configuration }

    @Test("as the anonymous user under its own claims: its conversations, messages and chat_raw rows visible, another user's invisible, an insert into a public table refused (42501)",
          .rules("S4.9"))
    func anonymousPolicies() async throws {
        guard configuration.bool(.rlsChecked) else {
            try Staging.skip("not declared: RLS_CHECKED=false (set it when the project has Row Level Security for anonymous users and DB_CONN's role may SET ROLE authenticated)")
        }
        // Two users: the rows the first must not see are the other's, made here whatever ran before.
        let users = try await Staging.users(2, "row level security", messages: 1)
        let (session, other) = (users[0], users[1])
        let theirs = try await backend.messages.json("rows of another user", token: other.accessToken)
        try #require(theirs.status == 200, "the other user's message: \(theirs.status) \(theirs.text.prefix(200))")
        let trace = StagingBackend.newTraceID()
        let request = backend.messages.request("rows of my own", token: session.accessToken, traceID: trace)
        let answer = try await backend.http.send(request)
        try #require(answer.status == 200, "the message that makes the user's rows: \(answer.status) \(answer.text.prefix(200))")
        let token = try JWT(session.accessToken)
        #expect(token.claims["is_anonymous"]?.bool == true, "the claims checked are an anonymous user's")
        let claims = JSONValue.object(token.claims).text
        // Two sessions: one impersonates the user; the other, outside its transaction, sees what the policies hide.
        let reader = try PostgresSession(try configuration.required(.dbConn)), outside = try PostgresSession(try configuration.required(.dbConn))
        let file = try SQLAssertionFile(contentsOf: StagingDatabaseTests.sqlDirectory.appendingPathComponent("rls.sql"))
        let parameters: [String: String?] = ["user_id": session.userID, "trace_id": trace]
        let publicTables = configuration.text(.rlsPublicTables).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }

        let read = try await Staging.persisted(trace) {
            try reader.impersonating(role: "authenticated", claims: claims) { user in
                (file.run(on: user, subjects: outside, parameters: parameters),
                 try publicTables.map { table in (table, try user.refusal(of: "INSERT INTO \(Self.quoted(table)) DEFAULT VALUES")) })
            }
        } holds: { $0.0.allSatisfy(\.passed) }
        let (results, inserts) = read.value
        try Staging.evidence.record("rls_report.md", text: results.markdown(title: "Row Level Security as the anonymous user", parameters: parameters))
        Staging.noteExchange(traceID: trace, request: request, status: answer.status, artifacts: ["rls_report.md"])
        for result in results {
            Staging.evidence.note(TraceNote(kind: .assertion, caseID: Staging.caseID, traceID: trace, name: result.assertion.name, passed: result.passed))
            #expect(result.passed, "\(Staging.redactor.redact(result.failure ?? "")) (\(read.description))")
        }
        for (table, refusal) in inserts {
            #expect(refusal?.sqlState == "42501", "an anonymous user's insert into the public table \(table): \(refusal.map(String.init(describing:)) ?? "admitted")")
        }
    }

    /// A table name as an SQL identifier (RLS_PUBLIC_TABLES may name `schema.table`).
    static func quoted(_ name: String) -> String {
        name.split(separator: ".").map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ".")
    }
}
