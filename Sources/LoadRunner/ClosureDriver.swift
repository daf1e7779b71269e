import Foundation
import Contract
import Protocols

/// One closure of the load, checked like the suite checks it: a signed-in
/// user (reused within the identity budget) sends a message, the stream is
/// read to its end and judged by the stream invariants in its dialect; a refusal must carry
/// the K1 body. Returns how it ended and, on success, its phases.
public struct ClosureDriver: Sendable {
    public let backend: StagingBackend
    public let sessions: SessionPool
    public let prompt: String

    public init(backend: StagingBackend, users: Int, prompt: String = "hello from the load runner") {
        self.backend = backend
        self.sessions = SessionPool(auth: backend.auth, size: users)
        self.prompt = prompt
    }

    public struct Result: Sendable {
        /// The user (index into the session pool) the closure ran as.
        public var user: Int = 0
        public var outcome: ClosureOutcome
        public var phases: [String: Double]
        public var traceID: String
        public var started: ContinuousClock.Instant
        public var detail: String?
        /// Retry-After of a refusal, in seconds.
        public var retryAfter: Double?
    }

    public func run(user: Int) async -> Result {
        let started = ContinuousClock.now
        let traceID = StagingBackend.newTraceID()
        do {
            var token = try await sessions.token(user)
            var stream = try await backend.messages.stream(prompt, token: token, traceID: traceID)
            if stream.head.status == 401 {
                // A restarted backend may have forgotten nothing, but a token can expire in a long soak: sign in once more.
                await sessions.invalidate(user)
                token = try await sessions.token(user)
                stream = try await backend.messages.stream(prompt, token: token, traceID: traceID)
            }
            var result = judge(stream, started: started)
            result.user = user
            return result
        } catch {
            return Result(user: user, outcome: .transportError("\(error)"), phases: [:], traceID: traceID, started: started, detail: "\(error)")
        }
    }

    func judge(_ stream: MessageStream, started: ContinuousClock.Instant) -> Result {
        let invariants = StreamInvariants(configuration: backend.configuration)
        var result = Result(outcome: .success, phases: [:], traceID: stream.traceID, started: started)
        guard stream.head.status == 200 else {
            let body = JSONValue.parse(stream.nonStreamBody)
            let k1 = ErrorBodyKeys.missing(from: body).isEmpty && body?["status"]?.int == stream.head.status
            result.outcome = k1 ? .refused(status: stream.head.status, code: body?["code"]?.string ?? "") : .refusedWithoutK1(status: stream.head.status)
            result.retryAfter = stream.head.headers["Retry-After"].flatMap(Double.init)
            result.detail = String(decoding: stream.nonStreamBody.prefix(300), as: UTF8.self)
            return result
        }
        // Read in the stream's dialect: OpenAI's `[DONE]`, Anthropic's `message_stop` or the contract's `final` ends it.
        let normalised = stream.normalised
        let hasFinal = !normalised.terminals.isEmpty
        if let error = normalised.errors.first {
            result.outcome = .errorFrame(stream.transcript.items[error.frame].event?.data ?? "")
            return result
        }
        if case let .failed(reason) = stream.ending {
            // Cut off mid-stream: the transport said so, which is not a silent success.
            result.outcome = hasFinal ? .violation(reason) : .transportError(reason)
            result.detail = reason
            return result
        }
        guard hasFinal else {
            result.outcome = .silentTruncation
            result.detail = stream.transcript.summary
            return result
        }
        let failures = (invariants.head(stream) + invariants.frames(stream) + invariants.contents(stream)).filter { !$0.passed }
        if let first = failures.first {
            result.outcome = .violation(first.check)
            result.detail = "\(first.check): \(first.detail ?? "")"
            return result
        }
        for (name, value) in StreamMeasurements(stream, normalised: normalised).values {
            result.phases[name] = value
        }
        return result
    }
}

/// Signed-in users, reused: a load spends `size` identities, not one per closure.
public actor SessionPool {
    let auth: GoTrueClient
    let size: Int
    var tokens: [Int: String] = [:]
    public private(set) var signIns = 0

    public init(auth: GoTrueClient, size: Int) {
        self.auth = auth
        self.size = max(1, size)
    }

    public func token(_ user: Int) async throws -> String {
        let slot = user % size
        if let token = tokens[slot] { return token }
        let session = try await auth.signInAnonymously()
        signIns += 1
        tokens[slot] = session.accessToken
        return session.accessToken
    }

    public func invalidate(_ user: Int) { tokens[user % size] = nil }
}
