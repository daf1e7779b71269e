import Foundation
import Testing
import AnonE2ETesting
import Contract
import Protocols
import Transport

/// CONTRACT §2 and §3: every answer carries a trace id (the server makes one
/// when none was sent), and a request the API cannot read is 422 `request.invalid`.
@Suite(.requires(.auth, .api), .anonymousUsers, .serialized, .replies(2), .tags(.policy))
struct StagingRequestTests {
    let backend = Staging.backend
    var configuration: Configuration { Staging.configuration }
    static let invalid = TraceLog()

    /// The bodies the API must refuse with 422, each with what is wrong with it.
    static let invalidBodies: [(what: String, body: String)] = [
        ("a body that is not JSON", "this is not json"),
        ("a body without messages", #"{"conversation_id":null}"#),
        ("a message with empty content", #"{"messages":[{"role":"user","content":"   "}]}"#),
        ("a body over 64 KiB", MessagesAPI.body(String(repeating: "a", count: 70 * 1024))),
    ]

    @Test("a body the API cannot read is 422 request.invalid with the K1 body: not JSON, no messages, empty content, over 64 KiB",
          .rules("S3.16", "S3.1"))
    func invalidBodies() async throws {
        let token = try await Staging.suiteUser(messages: 2).accessToken
        for (what, body) in Self.invalidBodies {
            let trace = StagingBackend.newTraceID()
            var request = backend.messages.request("unused", token: token, traceID: trace)
            request.body = Array(body.utf8)
            let response = try await backend.http.send(request)
            Staging.expect(ErrorBodyCheck(status: 422, .requestInvalid, traceID: trace, anonymousRefusal: false, configuration: configuration).verdicts(response), what)
            if let refusal = ProvokedRefusal(traceID: trace, response: response) { await Self.invalid.add(refusal) }
        }
    }

    @Test("each 422 left an api_errors row with its trace id, status and code", .requires(.database), .rules("S5.7"))
    func invalidBodiesAreLogged() async throws {
        try await StagingDatabaseTests.expectLogged(await Self.invalid.all)
    }

    @Test("an answer to a request that sent no X-Trace-Id carries one the server made (a UUID), and a K1 body names it", .rules("S2.1", "S3.1"))
    func serverMakesTraceIDs() async throws {
        let token = try await Staging.suiteUser(messages: 2).accessToken
        func check(_ what: String, _ request: HTTPRequest, k1: Bool) async throws {
            var request = request
            request.headers.remove("X-Trace-Id")
            let response = try await backend.http.send(request)
            let header = response.headers["X-Trace-Id"]
            #expect(header.flatMap { UUID(uuidString: $0) } != nil, "\(what): X-Trace-Id \(header ?? "missing") is not a UUID the server made")
            if k1 {
                #expect(JSONValue.parse(response.body)?["trace_id"]?.string == header, "\(what): body.trace_id is not the X-Trace-Id header")
            }
        }
        try await check("health", backend.template.request(.get, backend.url(.healthPath)), k1: false)
        try await check("a 401", backend.messages.request("hi", token: nil), k1: true)
        try await check("a 404", backend.request(.get, backend.apiBase + "/api/v1/no-such-route", token: token, traceID: nil), k1: true)
        try await check("a JSON message", backend.messages.request("hi", token: token), k1: false)
        var stream = backend.messages.request("hi", token: token, accept: "text/event-stream")
        stream.headers.remove("X-Trace-Id")
        let response = try await backend.http.stream(stream)
        let header = response.headers["X-Trace-Id"]
        #expect(header.flatMap { UUID(uuidString: $0) } != nil, "a stream: X-Trace-Id \(header ?? "missing")")
        // Read to its end, not aborted: an abort may keep the user's stream slot (S3.19, judged elsewhere).
        for try await _ in response.body {}
    }
}
