import Foundation
import Testing
import AnonE2ETesting
import Contract
import Protocols
import Transport

/// CONTRACT §2 and §3: a conversation is its owner's. Another user's, or an
/// unknown id, is 404 `not_found`, never 200, and nothing is written to it.
@Suite(.requires(.auth, .api), .anonymousUsers, .serialized, .replies(2), .tags(.policy))
struct StagingConversationTests {
    let backend = Staging.backend
    var configuration: Configuration { Staging.configuration }

    /// The owner's conversation: one streamed message in it.
    struct Owned: Sendable {
        let owner: GoTrueSession
        let stranger: GoTrueSession
        let conversation: String
        let stream: MessageStream
    }

    static let owned = Once<Owned>("a conversation, its owner and another user")

    func owned() async throws -> Owned {
        try await Self.owned.value {
            // The owner's one message; the other user's are refused (404, not charged).
            let users = try await Staging.suiteUsers(2, messages: 1)
            let (owner, stranger) = (users[0], users[1])
            let stream = try await Staging.backend.messages.stream("a conversation of my own", token: owner.accessToken)
            guard let conversation = stream.conversationID else {
                throw FixtureFailed(fixture: "a conversation", cause: "the stream names no conversation (meta.conversation_id, or X-Conversation-Id): \(stream.transcript.summary)")
            }
            return Owned(owner: owner, stranger: stranger, conversation: conversation, stream: stream)
        }
    }

    func get(_ id: String, token: String, trace: String = StagingBackend.newTraceID()) async throws -> HTTPResponse {
        try await backend.http.send(backend.request(.get, backend.url(.conversationPath, id: id), token: token, traceID: trace))
    }

    @Test("the owner's GET /api/v1/conversations/{id} answers 200 with the conversation and its messages in order", .rules("S2.11"))
    func ownerReads() async throws {
        let owned = try await owned()
        let final = owned.stream.reply
        // The assistant's message may land after the reply: read again until it is there, or the persist timeout.
        let read = try await Staging.persisted(owned.stream.traceID) {
            try await get(owned.conversation, token: owned.owner.accessToken)
        } holds: { JSONValue.parse($0.body)?["messages"]?.array?.last?["content"]?.string == final }
        let response = read.value
        #expect(response.status == 200, "the owner's GET: \(response.status) \(response.text.prefix(300))")
        let body = JSONValue.parse(response.body)
        for key in ["id", "title", "user_type", "created_at", "updated_at", "messages"] {
            #expect(body?[key] != nil, "no \(key): \(response.text.prefix(300))")
        }
        #expect(body?["id"]?.string == owned.conversation)
        let messages = body?["messages"]?.array ?? []
        #expect(messages.map { $0["role"]?.string ?? "" } == ["user", "assistant"], "roles: \(messages.map { $0["role"]?.text ?? "?" })")
        #expect(messages.first?["content"]?.string == "a conversation of my own", "the user message: \(messages.first?.text ?? "none")")
        #expect(messages.last?["content"]?.string == final, "the assistant message is not the streamed reply (\(read.description))")
        #expect(messages.allSatisfy { $0["id"]?.string != nil && $0["created_at"]?.string != nil }, "every message has id and created_at")
    }

    @Test("another user's conversation, and an unknown id, are 404 not_found, never 200", .rules("S2.12", "S3.15"))
    func strangerRefused() async throws {
        let owned = try await owned()
        for (what, id) in [("another user's conversation", owned.conversation), ("an unknown id", UUID().uuidString.lowercased())] {
            let trace = StagingBackend.newTraceID()
            let response = try await get(id, token: owned.stranger.accessToken, trace: trace)
            Staging.expect(ErrorBodyCheck(status: 404, .notFound, traceID: trace, anonymousRefusal: false, configuration: configuration).verdicts(response), what)
        }
    }

    @Test("a message to another user's conversation is 404 not_found and writes nothing there", .rules("S2.12", "S2.13"))
    func strangerCannotWrite() async throws {
        let owned = try await owned()
        let trace = StagingBackend.newTraceID()
        let request = backend.messages.request("intruding", token: owned.stranger.accessToken, traceID: trace, conversation: owned.conversation)
        let response = try await backend.http.send(request)
        Staging.expect(ErrorBodyCheck(status: 404, .notFound, traceID: trace, anonymousRefusal: false, configuration: configuration).verdicts(response),
                       "a message into another user's conversation")
        let after = JSONValue.parse(try await get(owned.conversation, token: owned.owner.accessToken).body)?["messages"]?.array ?? []
        #expect(!after.contains { $0["content"]?.string == "intruding" }, "the intruder's message is in the owner's conversation")
    }

    @Test("the refused message leaves no row with its trace id in messages or chat_raw", .requires(.database), .rules("S2.13"))
    func strangerWritesNoRow() async throws {
        let owned = try await owned()
        let trace = StagingBackend.newTraceID()
        let response = try await backend.http.send(backend.messages.request("intruding again", token: owned.stranger.accessToken, traceID: trace,
                                                                             conversation: owned.conversation))
        #expect(response.status == 404, "a message into another user's conversation: \(response.status)")
        let session = try PostgresSession(try configuration.required(.dbConn))
        // The guard: the owner's own message landed (a backend may write it after its reply), so the query can find rows.
        let own = try await Staging.persisted(owned.stream.traceID) {
            try session.query("SELECT id::text FROM messages WHERE trace_id = $1 AND role = 'assistant'", [owned.stream.traceID])
        } holds: { !$0.isEmpty }
        #expect(own.held, "the owner's message left no assistant row either (\(own.description)): the query proves nothing")
        // Read after it: what the backend writes late for the refused message would be there by now.
        let rows = try session.query("SELECT id::text FROM messages WHERE trace_id = $1 UNION ALL SELECT id::text FROM chat_raw WHERE trace_id = $1", [trace])
        #expect(rows.isEmpty, "the refused message wrote \(rows.count) row(s) with its trace id: \(rows.prefix(3).map(\.description))")
    }

    @Test("an unknown route is 404 not_found with the K1 body", .rules("S3.15", "S3.1"))
    func unknownRoute() async throws {
        let owned = try await owned()
        let trace = StagingBackend.newTraceID()
        let response = try await backend.http.send(backend.request(.get, backend.apiBase + "/api/v1/no-such-route-\(UUID().uuidString.prefix(6))",
                                                                    token: owned.owner.accessToken, traceID: trace))
        Staging.expect(ErrorBodyCheck(status: 404, .notFound, traceID: trace, anonymousRefusal: false, configuration: configuration).verdicts(response),
                       "an unknown route")
    }
}
