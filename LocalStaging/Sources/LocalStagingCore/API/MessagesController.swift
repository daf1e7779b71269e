import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// `POST /api/v1/messages` (CONTRACT.md §2): the reply as an event stream,
/// or as JSON for `Accept: application/json`.
struct MessagesController: Sendable {
    let settings: Settings
    let store: Store
    let authenticator: Authenticator
    let limiter: RateLimiter
    let registry: StreamRegistry
    let generator: ReplyGenerator
    let metrics: BackendMetrics

    func addRoutes(to router: Router<AppContext>) {
        router.post("/api/v1/messages", use: send)
        router.get("/api/v1/conversations/:id", use: conversation)
    }

    /// `GET /api/v1/conversations/{id}`: its owner's, with the messages in order; anyone else's is not found.
    @Sendable func conversation(_ request: Request, context: AppContext) async throws -> Response {
        let user = try await authenticator.authenticate(request, context: context)
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let conversation = try await store.conversation(id),
              conversation.owner == user.userID || settings.has(.conversationOwnerUnchecked) else { throw APIError.notFound }
        let messages = settings.has(.conversationWithoutMessages) ? [] : conversation.messages.map { message -> [String: Any] in
            ["id": message.id.uuidString.lowercased(), "role": message.role, "content": message.content ?? "", "created_at": message.createdAt.iso8601]
        }
        return JSON.response(.ok, [
            "id": id.uuidString.lowercased(), "title": conversation.title ?? "", "user_type": conversation.userType,
            "created_at": conversation.createdAt.iso8601, "updated_at": conversation.updatedAt.iso8601, "messages": messages,
        ])
    }

    struct Body {
        var content: String
        var system: String?
        var conversation: UUID?
    }

    @Sendable func send(_ request: Request, context: AppContext) async throws -> Response {
        let user = try await authenticator.authenticate(request, context: context)
        if settings.has(.messagesFailThirtyPercent), Int.random(in: 0..<10) < 3 {
            throw APIError(.internalServerError, "internal_error", "a planted failure", hint: "Try again.")
        }
        let tier = user.isAnonymous || settings.has(.registeredAnonymousTier) ? settings.anonymous : settings.registered
        let trace = context.facts.current.traceID
        let accept = request.headers[.accept]?.lowercased() ?? ""
        let wantsStream = !(accept.contains("application/json") && !accept.contains("text/event-stream"))
        do {
            if !settings.has(.noRateLimit) {
                try await limiter.admitRequest(user.userID, limit: tier.requestsPerSecond - (settings.has(.rateLimitOffByOne) ? 1 : 0))
            }
        } catch {
            if settings.has(.refusalsCharged) { await limiter.charge(user.userID) }
            var refusal = hinted(error, user)
            if settings.has(.retryAfterZero), var limited = refusal as? APIError { limited.retryAfter = 0; refusal = limited }
            throw refusal
        }

        if wantsStream, settings.resumeSupported, let lastID = request.headers[.lastEventID].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
           let record = await registry.record(trace), record.owner == user.userID, let start = await record.index(after: lastID) {
            do { try await limiter.openStream(user.userID, limit: tier.openStreams) } catch { throw hinted(error, user) }
            return stream(record, from: settings.has(.resumeSkipsFrame) ? start + 1 : start, user: user.userID, anonymous: user.isAnonymous, channel: context.channel,
                          conversation: nil, inputTokens: 0)
        }

        var request = request
        let body: Body
        do {
            body = try parse(try await request.collectBody(upTo: 64 * 1024))
        } catch let error as APIError where settings.has(.invalidBodyServerError) {
            throw APIError(.internalServerError, "internal_error", error.message, hint: "Try again.")
        }
        do {
            try await limiter.admitMessage(user.userID, quota: tier.dailyMessages + (settings.has(.dailyQuotaOffByOne) ? 1 : 0), streams: wantsStream ? tier.openStreams : nil)
        } catch { throw hinted(error, user) }

        let system = settings.has(.systemPromptIgnored) ? settings.defaultSystemPrompt : body.system ?? settings.defaultSystemPrompt
        let turn: Store.Turn
        do {
            guard let started = try await store.beginTurn(user: user.userID, anonymous: user.isAnonymous, conversation: body.conversation,
                                                          system: system, content: body.content, model: settings.model, trace: trace)
            else { throw APIError.notFound }
            turn = started
        } catch {
            if wantsStream { await limiter.closeStream(user.userID) }
            throw error
        }
        let large = body.content == settings.largeReplyPrompt
        let tokens = large ? generator.largeReply(bytes: settings.largeReplyBytes) : generator.reply(to: body.content, anonymous: user.isAnonymous)

        let promptTokens = body.content.split(separator: " ").count
        let conversation = turn.conversationID.uuidString.lowercased()
        guard wantsStream else {
            let content = tokens.joined()
            try await persist { try await $0.finishTurn(turn, content: content, model: self.settings.model, trace: trace) }
            var answer: [String: Any] = ["content": content, "message_id": turn.messageID.uuidString.lowercased(),
                                         "conversation_id": conversation, "trace_id": trace]
            if settings.has(.jsonWithoutMessageID) { answer["message_id"] = nil }
            let usage = (input: promptTokens, output: tokens.count)
            return JSON.response(.ok, DialectAnswer.body(answer, dialect: settings.dialect, model: settings.model, usage: usage),
                                 headers: [HTTPField.Name("X-Conversation-Id")!: conversation])
        }

        let record = StreamRecord(owner: user.userID)
        await registry.add(record, trace: trace)
        let meta: [String: Any] = [
            "trace_id": trace, "conversation_id": turn.conversationID.uuidString.lowercased(),
            "session_id": (settings.has(.metaSessionIsAuthSession) ? user.sessionID : turn.chatSessionID).uuidString.lowercased(),
            "message_id": turn.messageID.uuidString.lowercased(),
            "model": settings.model, "user_type": user.isAnonymous ? "anonymous" : "registered",
        ]
        let fails = body.content == settings.failPrompt
        Task { await generate(record, meta: meta, tokens: tokens, turn: turn, trace: trace, promptTokens: promptTokens, failsAfterFirst: fails, paced: !large) }
        if !settings.has(.noPings) { Task { await ping(record) } }
        return stream(record, from: 0, user: user.userID, anonymous: user.isAnonymous, channel: context.channel, conversation: conversation, inputTokens: promptTokens)
    }

    /// Writes the reply into the record as the model produces it, then stores it.
    /// - Parameter failsAfterFirst: the model fails after its first token (the fail prompt): an error frame, then the close.
    /// - Parameter paced: tokens after the first wait `TOKEN_DELAY_MS` each; the large reply comes all at once.
    private func generate(_ record: StreamRecord, meta: [String: Any], tokens: [String], turn: Store.Turn, trace: String, promptTokens: Int,
                          failsAfterFirst: Bool, paced: Bool) async {
        var id = 1
        let metaFrame = SSEFrame.event("meta", id: id, data: JSON.string(meta))
        // The held-meta fault sends it with the first token, as a proxy or a backend that waits for the model does.
        if !settings.has(.metaHeldForFirstToken) { await record.append(metaFrame) }
        var held: SSEFrame?
        for (index, token) in tokens.enumerated() {
            if index == 0 || paced { try? await Task.sleep(for: index == 0 ? settings.firstTokenDelay + settings.tokenDelay : settings.tokenDelay) }
            if index == 0, settings.has(.metaHeldForFirstToken) { await record.append(metaFrame) }
            id += 1
            let seq = settings.has(.seqGap) && index > 0 ? index + 2 : index + 1
            let frame = SSEFrame.event("delta", id: id, data: JSON.string(["seq": seq, "delta": token]))
            // Frames 3 and 4 swapped: the order fault.
            if settings.has(.framesReordered), id == 3 { held = frame; continue }
            await record.append(frame)
            if settings.has(.errorFrameMidStream), index == 0 {
                id += 1
                await record.append(.event("error", id: id, data: JSON.string([
                    "status": 500, "code": "internal_error", "message": "a hiccup", "trace_id": trace, "hint": "none"])))
            }
            if let frame = held { await record.append(frame); held = nil }
            if failsAfterFirst {
                id += 1
                let failure: [String: Any] = settings.has(.errorFrameNotK1) ? ["error": "the model failed"] : [
                    "status": 502, "code": "upstream.model_failed", "message": "the model stopped answering", "trace_id": trace,
                    "hint": "Try again; report the trace id if it persists."]
                await record.append(.event("error", id: id, data: JSON.string(failure)))
                await record.finish()
                await registry.retire(trace, record, after: settings.streamRetention)
                return
            }
        }
        if let frame = held { await record.append(frame) }
        let content = settings.has(.emptyFinalContent) ? "" : tokens.joined()
        id += 1
        do {
            try await persist { try await $0.finishTurn(turn, content: content, model: self.settings.model, trace: trace) }
            var final: [String: Any] = [
                "seq": tokens.count + 1, "content": content, "finish_reason": "stop", "message_id": turn.messageID.uuidString.lowercased(),
                "usage": ["prompt_tokens": promptTokens, "completion_tokens": tokens.count],
            ]
            if settings.has(.finalWithoutUsage) { final["usage"] = nil }
            await record.append(.event("final", id: id, data: JSON.string(final)))
        } catch {
            await record.append(.event("error", id: id, data: JSON.string([
                "status": 500, "code": "internal_error", "message": "the reply could not be stored", "trace_id": trace,
                "hint": "Try again; report the trace id if it persists.",
            ])))
        }
        await record.finish()
        await registry.retire(trace, record, after: settings.streamRetention)
    }

    /// Stores what the reply persists: now, or (PERSIST_DELAY_MS) in a task that writes it that long
    /// later, after the reply has gone, as a background task of a web framework does.
    private func persist(_ write: @escaping @Sendable (Store) async throws -> Void) async throws {
        guard settings.persistDelay > .zero else { return try await write(store) }
        let (store, delay) = (store, settings.persistDelay)
        Task {
            try? await Task.sleep(for: delay)
            do { try await write(store) } catch { Logger(label: "local-staging").error("the late write failed: \(String(reflecting: error))") }
        }
    }

    /// A `: ping` comment while the reply runs: every interval, or (SSE_PING_RESET_ON_FRAME)
    /// once an interval has passed without a frame.
    private func ping(_ record: StreamRecord) async {
        let interval = settings.has(.pingsLate) ? settings.pingInterval * 1.4 : settings.pingInterval
        while !(await record.isFinished) {
            if settings.pingResetsOnFrame {
                let due = await record.lastAppend + interval
                if ContinuousClock.now < due {
                    try? await Task.sleep(until: due)
                    continue
                }
            } else {
                try? await Task.sleep(for: interval)
            }
            await record.append(.ping)
        }
    }

    /// The response: frames from `index` on, flushed one by one; the stream
    /// slot is released once, when the stream ends or the connection closes
    /// (a client that goes away while the model thinks writes nothing to fail on).
    /// - Parameter conversation: sent as `X-Conversation-Id` too, for the dialects whose frames cannot carry it.
    private func stream(_ record: StreamRecord, from index: Int, user: UUID, anonymous: Bool, channel: (any Channel)?, conversation: String?,
                        inputTokens: Int) -> Response {
        let (limiter, metrics, userType) = (self.limiter, self.metrics, anonymous ? "anonymous" : "registered")
        let keptAfterEnd = settings.has(.slotKeptAfterEnd)
        metrics.streams(1, userType: userType)
        let slot = SlotRelease {
            await limiter.closeStream(user)
            metrics.streams(-1, userType: userType)
        }
        if !settings.has(.slotKeptOnAbort) { channel?.closeFuture.whenComplete { _ in Task { await slot.release() } } }
        let holdsFrames = settings.has(.framesHeldBack)
        let skipsWhenLagging = settings.has(.laggingReaderSkipped)
        let keepsOnAbort = settings.has(.slotKeptOnAbort)
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = settings.has(.cacheControlMaxAge) ? "max-age=60" : "no-cache"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        if let conversation { headers[HTTPField.Name("X-Conversation-Id")!] = conversation }
        if settings.dialect == "ai-sdk-ui" { headers[HTTPField.Name("x-vercel-ai-ui-message-stream")!] = "v1" }
        let (dialect, faults) = (settings.dialect, settings.faults)
        return Response(status: settings.has(.streamAccepted202) ? .accepted : .ok, headers: headers, body: ResponseBody { writer in
            var next = index
            var heldDeltas: [SSEFrame] = []
            var encoder = DialectEncoder(dialect: dialect, faults: faults, inputTokens: inputTokens)
            do {
                while let frame = await record.frame(at: next) {
                    next += 1
                    // The held-back fault: deltas wait for final; meta and pings flow. Then they go
                    // out with final in one write, as a buffer in between releases them.
                    if holdsFrames, frame.event == "delta" { heldDeltas.append(frame); continue }
                    if holdsFrames, frame.event == "final" {
                        try await writer.write(ByteBuffer(string: (heldDeltas + [frame]).flatMap { encoder.encode($0) }.map(\.text).joined()))
                        continue
                    }
                    let started = ContinuousClock.now
                    try await writer.write(ByteBuffer(string: encoder.encode(frame).map(\.text).joined()))
                    // The lagging-reader fault: a write held up by the reader's backpressure makes the
                    // stream jump to the newest frame, dropping what came in between.
                    if skipsWhenLagging, ContinuousClock.now - started > .seconds(1) { next = max(next, await record.count - 1) }
                }
                if keptAfterEnd {
                    // The fault: the stream ends now, its slot only 3 s later.
                    Task { try? await Task.sleep(for: .seconds(3)); await slot.release() }
                } else {
                    await slot.release()
                }
                try await writer.finish(nil)
            } catch {
                if !keepsOnAbort { await slot.release() }
                throw error
            }
        })
    }

    /// The body in the contract's shape or the dialect's: OpenAI Responses' `input` and
    /// `instructions`, the AI SDK's messages of parts and chat `id`, a system message of OpenAI Chat.
    private func parse(_ buffer: ByteBuffer) throws -> Body {
        guard let object = JSON.object(buffer) else { throw APIError.invalid("the body is not a JSON object") }
        var system = object["system"] ?? object["instructions"]
        let content: String
        if settings.dialect == "openai-responses", let input = object["input"] as? String {
            content = input
        } else {
            guard let messages = object["messages"] as? [[String: Any]], !messages.isEmpty else {
                throw APIError.invalid("messages must be a non-empty array")
            }
            func text(_ message: [String: Any]) -> String? {
                if let content = message["content"] as? String { return content }
                guard settings.dialect == "ai-sdk-ui", let parts = message["parts"] as? [[String: Any]] else { return nil }
                return parts.filter { $0["type"] as? String == "text" }.compactMap { $0["text"] as? String }.joined()
            }
            for message in messages {
                guard let role = message["role"] as? String, ["user", "system", "assistant"].contains(role), text(message) != nil else {
                    throw APIError.invalid("every message needs a role (user, system, assistant) and a string content")
                }
            }
            guard let last = messages.last, last["role"] as? String == "user",
                  let lastText = text(last), !lastText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            else { throw APIError.invalid("the last message must be the user's, with non-empty content") }
            content = lastText
            if system == nil, settings.dialect == "openai-chat", let first = messages.first, first["role"] as? String == "system" { system = text(first) }
        }
        var conversation: UUID?
        if let value = object["conversation_id"] ?? (settings.dialect == "ai-sdk-ui" ? object["id"] : nil), !(value is NSNull) {
            guard let text = value as? String, let id = UUID(uuidString: text) else { throw APIError.invalid("conversation_id is not a UUID") }
            conversation = id
        }
        if let system, !(system is String) { throw APIError.invalid("system must be a string") }
        return Body(content: content, system: system as? String, conversation: conversation)
    }

    private func hinted(_ error: any Error, _ user: VerifiedToken) -> any Error {
        guard var refusal = error as? APIError else { return error }
        refusal.hint = user.isAnonymous ? APIError.upgradeHint : "Wait \(refusal.retryAfter ?? 1) s (Retry-After) and try again."
        // The code faults: a limiter refusal named after another cause (or none).
        switch refusal.code {
        case "rate_limit.qps" where settings.has(.qpsCodeGeneric): refusal.code = "rate_limit"
        case "rate_limit.daily_quota" where settings.has(.quotaCodeQPS),
             "rate_limit.sse_concurrency" where settings.has(.concurrencyCodeQPS): refusal.code = "rate_limit.qps"
        default: break
        }
        return refusal
    }
}

/// Frees a stream slot exactly once, whichever comes first: the end of the stream or the close of its connection.
final class SlotRelease: Sendable {
    private let released = Atomic<Bool>(false)
    private let action: @Sendable () async -> Void

    init(_ action: @escaping @Sendable () async -> Void) { self.action = action }

    func release() async {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await action()
    }
}
