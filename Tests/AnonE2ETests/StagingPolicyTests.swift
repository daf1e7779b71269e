import Foundation
import Testing
import AnonE2ETesting
import Contract
import Transport

/// Seed 000, step D: policy gates answer anonymous callers with the K1 body.
@Suite(.requires(.auth, .api), .anonymousUsers, .replies(1), .tags(.policy, .criticalRefusal))
struct StagingPolicyTests {
    let backend = Staging.backend

    func token() async throws -> String { try await Staging.suiteUser(messages: 2).accessToken }

    /// Sends, records `artifact`, and checks the K1 body.
    func refusal(_ method: HTTPRequest.Method, _ url: String, token: String?, json: String? = nil, status: Int, code: ContractCode,
                 anonymous: Bool, artifact: String) async throws {
        let trace = StagingBackend.newTraceID()
        let request = backend.request(method, url, token: token, traceID: trace, json: json)
        let response = try await backend.http.send(request)
        let verdicts = ErrorBodyCheck(status: status, code, traceID: trace, anonymousRefusal: anonymous, configuration: Staging.configuration).verdicts(response)
        try Staging.record(artifact, request: request, response: response, traceID: trace, verdicts: verdicts)
        Staging.expect(verdicts, "\(method.rawValue) \(url)")
    }

    @Test("an anonymous user sharing its own conversation gets 403 policy.anonymous_forbidden with an upgrade hint", .rules("S4.1", "S3.13", "S3.1", "S3.2"))
    func share() async throws {
        let token = try await token()
        // The user's own conversation: a backend that looks the resource up first rightly answers 404 for one that does not exist.
        let stream = try await backend.messages.stream("a conversation to share", token: token)
        guard let conversation = stream.conversationID else {
            Issue.record("the message names no conversation to share (meta.conversation_id, or X-Conversation-Id): \(stream.transcript.summary)")
            return
        }
        try await refusal(.post, backend.url(.sharePath, id: conversation), token: token,
                          status: 403, code: .anonymousForbidden, anonymous: true, artifact: "policy_share.json")
    }

    @Test("an anonymous user on /api/v1/admin/* gets 403 policy.admin_only", .rules("S4.2", "S3.14", "S3.2"))
    func admin() async throws {
        try await refusal(.get, backend.url(.adminPath), token: try await token(),
                          status: 403, code: .adminOnly, anonymous: true, artifact: "policy_admin.json")
    }

    @Test("an anonymous batch of messages is refused as configured (403 or 429)", .rules("S4.3", "S3.2"))
    func batch() async throws {
        let status = Staging.configuration.int(.batchStatus)
        let body = #"{"items":[\#(MessagesAPI.body("one")),\#(MessagesAPI.body("two"))]}"#
        try await refusal(.post, backend.url(.batchPath), token: try await token(), json: body, status: status,
                          code: status == 429 ? .rateLimitQPS : .anonymousForbidden, anonymous: true, artifact: "policy_batch.json")
    }

    @Test("no token: 401 auth.missing_token with WWW-Authenticate", .rules("S3.5", "S3.3", "S3.1"))
    func missingToken() async throws {
        try await refusal(.post, backend.url(.messagesPath), token: nil, json: MessagesAPI.body("hello"),
                          status: 401, code: .missingToken, anonymous: false, artifact: "policy_missing_token.json")
    }
}
