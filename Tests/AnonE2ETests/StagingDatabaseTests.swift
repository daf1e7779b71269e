import Foundation
import Testing
import AnonE2ETesting
import Contract
import Evidence
import Protocols
import Transport

/// Seed 000, step C: the rows one anonymous message wrote, read through a
/// read-only session, checked by the named assertions of sql/.
@Suite(.requires(.auth, .api, .database), .anonymousUsers, .replies(2), .tags(.database, .criticalNormal), .serialized)
struct StagingDatabaseTests {
    static let sqlDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("sql")

    @Test("every assertion of sql/assertions.sql and sql/assertions_extra.sql holds for one anonymous message", .rules("S5.1", "S5.2", "S5.3", "S5.4", "S5.5", "S5.6", "S5.7", "S5.8", "S2.8"), arguments: [
        "assertions.sql", "assertions_extra.sql",
    ])
    func assertions(_ file: String) async throws {
        let run = try await Self.fixture.value { try await Self.provoke() }
        let session = try PostgresSession(try Staging.configuration.required(.dbConn))
        let assertions = try SQLAssertionFile(contentsOf: Self.sqlDirectory.appendingPathComponent(file))
        #expect(!assertions.assertions.isEmpty, "\(file) has no assertions")
        let read = try await Staging.persisted(run.traceID) {
            assertions.run(on: session, parameters: run.parameters, unavailable: run.unavailable)
        } holds: { $0.allSatisfy { $0.passed || $0.notExercised != nil } }
        let results = read.value
        let report = "db_assert_report\(file == "assertions.sql" ? "" : "_extra").md"
        try Staging.evidence.record(report, text: results.markdown(title: "Database assertions: \(file)", parameters: run.parameters))
        for result in results {
            // Not run: neither passed nor failed, and said so in the report.
            Staging.evidence.note(TraceNote(kind: .assertion, caseID: Staging.caseID, traceID: run.traceID, name: result.assertion.name,
                                            passed: result.notExercised == nil ? result.passed : nil, message: result.notExercised))
            if result.notExercised == nil { #expect(result.passed, "\(Staging.redactor.redact(result.failure ?? "")) (\(read.description))") }
        }
        if results.allSatisfy({ $0.notExercised != nil }) { try Staging.skip("not exercised: no assertion of \(file) could run") }
    }

    /// The assertion `api_errors_for_provoked_refusals` of assertions_extra.sql over refusals a case provoked.
    static func expectLogged(_ refusals: [ProvokedRefusal], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try #require(!refusals.isEmpty, "no refusal was provoked", sourceLocation: sourceLocation)
        let file = try SQLAssertionFile(contentsOf: sqlDirectory.appendingPathComponent("assertions_extra.sql"))
        let assertion = try #require(file.assertions.first { $0.name == "api_errors_for_provoked_refusals" }, sourceLocation: sourceLocation)
        let session = try PostgresSession(try Staging.configuration.required(.dbConn))
        let logged = SQLAssertionFile(name: file.name, assertions: [assertion])
        let read = try await Staging.persisted(refusals[0].traceID) {
            logged.run(on: session, parameters: ["refusals": ProvokedRefusal.json(refusals)])
        } holds: { $0.allSatisfy(\.passed) }
        let result = try #require(read.value.first, sourceLocation: sourceLocation)
        #expect(result.passed, "\(result.failure ?? "") (\(read.description))", sourceLocation: sourceLocation)
    }

    /// What the assertions are about: one streamed message and two refusals.
    struct Run: Sendable {
        var traceID: String
        var parameters: [String: String?]
        /// What the stream could not give (another dialect has no meta), with why.
        var unavailable: [String: String]
    }

    static let fixture = Once<Run>("one message and its rows")

    static func provoke() async throws -> Run {
        let backend = Staging.backend
        let session = try await Staging.suiteUser(messages: 2)
        let stream = try await backend.messages.stream("hello database", token: session.accessToken)
        Staging.noteExchange(traceID: stream.traceID, request: stream.request, status: stream.head.status, artifacts: ["db_assert_report.md"])
        let final = stream.reply
        // Another dialect's stream has no meta: the assertions about meta's ids are not exercised.
        let meta = stream.data(stream.first(Staging.configuration.text(.eventMeta)))
        let sessionID = meta?["session_id"]?.string
        // A second message with its own system prompt, whose system row must hold exactly it.
        let prompt = "You are the e2e test's assistant \(UUID().uuidString.prefix(8)). Answer briefly."
        let prompted = try await backend.messages.stream("hello with a system prompt", token: session.accessToken, system: prompt)
        Staging.noteExchange(traceID: prompted.traceID, request: prompted.request, status: prompted.head.status, artifacts: ["db_assert_report.md"])
        // Two refusals (no token; an anonymous caller on an admin route) whose api_errors rows the assertions look for.
        var refused: [ProvokedRefusal] = []
        for request in [backend.messages.request("x", token: nil),
                        backend.request(.get, backend.url(.adminPath), token: session.accessToken, traceID: StagingBackend.newTraceID())] {
            let trace = request.headers["X-Trace-Id"] ?? ""
            let response = try await backend.http.send(request)
            Staging.noteExchange(traceID: trace, request: request, status: response.status, artifacts: [])
            refused.append(try #require(ProvokedRefusal(traceID: trace, response: response),
                                        "\(request.method.rawValue) \(request.url) was not refused with a K1 body: \(response.status)"))
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return Run(traceID: stream.traceID, parameters: [
            "user_id": session.userID, "trace_id": stream.traceID, "final_content": final,
            "request_started": formatter.string(from: stream.startedAt), "refusals": ProvokedRefusal.json(refused),
            "meta_session_id": sessionID, "meta_conversation_id": stream.conversationID,
            "default_system_prompt": Staging.configuration[.defaultSystemPrompt],
            "system_trace_id": prompted.traceID, "system_prompt": prompt,
        ], unavailable: sessionID == nil && !(stream.dialect is NativeDialect)
            ? ["meta_session_id": "the \(stream.dialect.name) stream has no meta frame to name its chat session"] : [:])
    }
}
