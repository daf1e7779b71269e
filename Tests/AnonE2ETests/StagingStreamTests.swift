import Foundation
import Testing
import AnonE2ETesting
import Contract
import Protocols
import Transport

/// Seed 000, step B: the message answered as an event stream, consumed to the end.
@Suite(.requires(.auth, .api), .anonymousUsers, .replies(2), .tags(.stream, .criticalNormal))
struct StagingStreamTests {
    let backend = Staging.backend
    var invariants: StreamInvariants { StreamInvariants(configuration: Staging.configuration) }

    /// The suite's one streamed "hello", shared by the cases that read it.
    static let hello = Once<MessageStream>("one streamed hello")

    func stream() async throws -> MessageStream {
        try await Self.hello.value {
            let token = try await Staging.suiteUser(messages: 2).accessToken
            let stream = try await backend.messages.stream("hello", token: token)
            try Self.writeArtifacts(stream)
            return stream
        }
    }

    @Test("POST /api/v1/messages answers 200 text/event-stream and echoes X-Trace-Id", .rules("S2.1", "S2.2"))
    func streamHead() async throws {
        Staging.expect(invariants.head(try await stream()), "the stream's answer")
    }

    @Test("the stream holds every invariant: meta first, final last, ids increasing, seq contiguous, deltas join to final.content (or its dialect's, S2.14)",
          .rules("S2.3", "S2.4", "S2.14"))
    func streamInvariants() async throws {
        let stream = try await stream()
        Staging.expect(invariants.frames(stream), "the stream (\(invariants.dialect.name))")
        if invariants.isNative {
            let meta = stream.data(stream.first(invariants.meta))
            #expect(meta?["user_type"]?.string == "anonymous", "meta.user_type is \(meta?["user_type"]?.text ?? "missing")")
        }
    }

    @Test("meta carries trace, conversation, session and message ids and the model; final its message id, finish_reason and integer usage (another dialect: its start names the message, its usage is integer)",
          .rules("S2.9", "S2.14"))
    func frameContents() async throws {
        let verdicts = invariants.contents(try await stream())
        if verdicts.isEmpty { try Staging.skip("not exercised: the \(invariants.dialect.name) dialect carries no message id and no usage") }
        Staging.expect(verdicts, "the stream's meta and final")
    }

    @Test("frames are flushed as produced: the first delta arrives measurably before final", .rules("S2.5"))
    func flushedAsProduced() async throws {
        Staging.expect([invariants.flushing(try await stream())], "the stream's timing")
    }

    @Test("meta leaves before the model's first token: when the first text comes late, meta came clearly earlier", .rules("S2.5"))
    func metaBeforeFirstToken() async throws {
        let (verdict, reason) = invariants.startLead(try await stream())
        guard let verdict else { try Staging.skip("not exercised: \(reason)") }
        Staging.expect([verdict], "meta's timing")
    }

    @Test("a failure after the stream began is one error frame with the error body, then the close", .rules("S2.4"))
    func errorAfterStart() async throws {
        let prompt = Staging.configuration.text(.failPrompt)
        if prompt.isEmpty {
            try Staging.skip("not exercised: no ANON_E2E_FAIL_PROMPT, a prompt that makes the backend fail after its stream began")
        }
        let token = try await Staging.user("stream: a failure after the start", messages: 1).accessToken
        let stream = try await backend.messages.stream(prompt, token: token)
        try Staging.evidence.record("sse_failure.log", text: stream.transcript.text)
        Staging.noteExchange(traceID: stream.traceID, request: stream.request, status: stream.head.status, artifacts: ["sse_failure.log"])
        Staging.expect(invariants.failure(stream), "the failed stream")
    }

    @Test("the app consumes the final content", .rules("S2.3"))
    func appConsumesFinal() async throws {
        let stream = try await stream()
        let content = try #require(stream.reply, "no reply: the stream has no terminal event (\(invariants.dialect.name))")
        #expect(!content.isEmpty, "the reply is empty")
        try Staging.evidence.record("app_consumed.txt", text: content + "\n")
    }

    @Test("Accept: application/json answers 200 with content, message_id, conversation_id and the trace id", .rules("S2.10", "S2.1"))
    func jsonAnswer() async throws {
        let token = try await Staging.suiteUser(messages: 2).accessToken
        let trace = StagingBackend.newTraceID()
        let request = backend.messages.request("hello", token: token, traceID: trace)
        let response = try await backend.http.send(request)
        let body = JSONValue.parse(response.body)
        guard invariants.isNative else {
            // Another dialect: its own answer shape, and the contract's trace id echo.
            guard let answer = body.map({ invariants.dialect.answer($0) }) ?? DialectAnswer(text: nil, id: nil) else {
                try Staging.skip("not exercised: the \(invariants.dialect.name) dialect always streams")
            }
            let verdicts = [
                Verdict("status 200", passed: response.status == 200, detail: "got \(response.status): \(response.text.prefix(300))"),
                Verdict("the answer's text is a non-empty string (\(invariants.dialect.name))", passed: !(answer.text ?? "").isEmpty, detail: response.text.prefix(300).description),
                Verdict("the answer has an id", passed: answer.id != nil, detail: answer.id),
                Verdict("X-Trace-Id header echoes it", passed: response.headers["X-Trace-Id"] == trace, detail: response.headers["X-Trace-Id"]),
            ]
            try Staging.record("message_json.json", request: request, response: response, traceID: trace, verdicts: verdicts)
            return Staging.expect(verdicts, "the JSON answer")
        }
        let verdicts = [
            Verdict("status 200", passed: response.status == 200, detail: "got \(response.status): \(response.text.prefix(300))"),
            Verdict("content is a non-empty string", passed: !(body?["content"]?.string ?? "").isEmpty, detail: body?["content"]?.text),
            Verdict("message_id", passed: body?["message_id"]?.string != nil, detail: body?["message_id"]?.text),
            Verdict("conversation_id", passed: body?["conversation_id"]?.string != nil, detail: body?["conversation_id"]?.text),
            Verdict("trace_id is the sent X-Trace-Id", passed: body?["trace_id"]?.string == trace, detail: body?["trace_id"]?.text),
            Verdict("X-Trace-Id header echoes it", passed: response.headers["X-Trace-Id"] == trace, detail: response.headers["X-Trace-Id"]),
        ]
        try Staging.record("message_json.json", request: request, response: response, traceID: trace, verdicts: verdicts)
        Staging.expect(verdicts, "the JSON answer")
    }

    /// `sse.log`, `sse_first.json`, `sse_final.json`.
    static func writeArtifacts(_ stream: MessageStream) throws {
        let evidence = Staging.evidence
        try evidence.record("sse.log", text: stream.transcript.text)
        func frame(_ event: ServerSentEvent?) -> JSONValue {
            guard let event else { return .null }
            return .object(["id": event.id.map(JSONValue.string) ?? .null, "event": .string(event.type),
                            "data": JSONValue.parse(event.data) ?? .string(event.data),
                            "arrival_ms": .number((event.arrival - stream.transcript.started).inMilliseconds)])
        }
        try evidence.record("sse_first.json", json: frame(stream.events.first))
        try evidence.record("sse_final.json", json: frame(stream.events.last))
        Staging.noteExchange(traceID: stream.traceID, request: stream.request, status: stream.head.status,
                             artifacts: ["sse.log", "sse_first.json", "sse_final.json"])
    }
}
