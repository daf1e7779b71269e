import Protocols
import Transport
/// The MUSTs of CONTRACT.md §2 for one message stream, each a verdict that
/// says what was expected and what came.
public struct StreamInvariants: Sendable {
    public let meta: String
    public let delta: String
    public let final: String
    public let error: String
    /// How much earlier than `final` the first delta must arrive to count as
    /// flushed when produced (a buffering proxy delivers them together).
    public let minimumFlushGap: Duration
    /// The wire format: §2's frames are checked as such, any other over its normalised stream (§2a).
    public let dialect: any StreamDialect

    public init(configuration: Configuration, minimumFlushGap: Duration = .milliseconds(5)) {
        meta = configuration.text(.eventMeta)
        delta = configuration.text(.eventDelta)
        final = configuration.text(.eventFinal)
        error = configuration.text(.eventError)
        self.minimumFlushGap = minimumFlushGap
        dialect = (try? configuration.dialect()) ?? NativeDialect()
    }

    public var isNative: Bool { dialect is NativeDialect }

    /// The answer's head: status, content type, trace id echo, no caching.
    public func head(_ stream: MessageStream) -> [Verdict] {
        let type = stream.head.headers["Content-Type"]
        return [
            Verdict("status is 200", passed: stream.head.status == 200,
                    detail: "got \(stream.head.status)\(stream.nonStreamBody.isEmpty ? "" : ": " + String(decoding: stream.nonStreamBody.prefix(300), as: UTF8.self))"),
            Verdict("Content-Type is text/event-stream", passed: EventStreamContentType.matches(type), detail: "got \(type ?? "none")"),
            Verdict("X-Trace-Id echoes the request's", passed: stream.head.headers["X-Trace-Id"] == stream.traceID,
                    detail: "sent \(stream.traceID), got \(stream.head.headers["X-Trace-Id"] ?? "none")"),
            Verdict("Cache-Control is no-cache", passed: stream.head.headers["Cache-Control"]?.lowercased().contains("no-cache") == true,
                    detail: "got \(stream.head.headers["Cache-Control"] ?? "none")"),
        ]
    }

    /// The frames: meta first and once, final last and once, ids increasing,
    /// seq contiguous, deltas joining to final.content, no error, closed after final.
    public func frames(_ stream: MessageStream) -> [Verdict] {
        guard isNative else { return NormalisedStreamChecks(dialect: dialect).verdicts(stream.normalised, closedByServer: stream.ending == .closedByServer) }
        let events = stream.events
        let types = events.map(\.type)
        let summary = types.count > 12 ? "\(types.prefix(6)) … \(types.suffix(3)) (\(types.count))" : "\(types)"
        var verdicts = [
            Verdict("exactly one \(meta), first", passed: types.first == meta && types.filter { $0 == meta }.count == 1, detail: "events: \(summary)"),
            Verdict("exactly one \(final), last", passed: types.last == final && types.filter { $0 == final }.count == 1, detail: "events: \(summary)"),
            Verdict("no \(error) frame", passed: !types.contains(error), detail: events.first { $0.type == error }?.data),
            Verdict("the server closed the stream after \(final)", passed: stream.ending == .closedByServer, detail: "\(stream.ending)"),
        ]
        // An error frame where none is due is a failure already; its body is judged too (S2.4: the K1 body).
        for event in events where event.type == error {
            if let problem = dialect.errorShapeProblem(JSONValue.parse(event.data)) {
                verdicts.append(Verdict("the \(error) frame's data is the K1 body", passed: false, detail: problem))
            }
        }
        let ids = events.map(\.id)
        let numeric = ids.compactMap { $0.flatMap { Int($0) } }
        verdicts.append(Verdict("every frame has an id, strictly increasing", passed: numeric.count == ids.count && zip(numeric, numeric.dropFirst()).allSatisfy(<),
                                detail: "ids: \(ids.map { $0 ?? "-" }.prefix(40))"))
        let deltas = events.filter { $0.type == delta }.map { JSONValue.parse($0.data) }
        let seqs = deltas.map { $0?["seq"]?.int }
        verdicts.append(Verdict("delta seq is 1, 2, 3 … with no gap", passed: !seqs.isEmpty && seqs == Array(1...max(seqs.count, 1)).map(Optional.some),
                                detail: "seq: \(seqs.map { $0.map(String.init) ?? "nil" }.prefix(40))"))
        let joined = deltas.map { $0?["delta"]?.string ?? "" }.joined()
        let content = stream.data(stream.first(final))?["content"]?.string
        verdicts.append(Verdict("the deltas join to final.content", passed: content != nil && joined == content,
                                detail: "deltas: \(joined.debugDescription.prefix(200)); final.content: \((content ?? "none").debugDescription.prefix(200))"))
        return verdicts
    }

    /// What `meta` and `final` carry (§2): the ids a client keeps, the model, the usage.
    /// Over another dialect: what it carries of them (empty: nothing to check, the case skips).
    public func contents(_ stream: MessageStream) -> [Verdict] {
        guard isNative else { return dialectContents(stream.normalised) }
        let meta = stream.data(stream.first(self.meta)), final = stream.data(stream.first(self.final))
        let fields = ["trace_id", "conversation_id", "session_id", "message_id", "model", "user_type"]
        let usage = final?["usage"]
        return fields.map { key in
            Verdict("meta.\(key) is a non-empty string", passed: !(meta?[key]?.string ?? "").isEmpty, detail: "meta: \(meta?.text.prefix(300) ?? "none")")
        } + [
            Verdict("meta.trace_id is the request's X-Trace-Id", passed: meta?["trace_id"]?.string == stream.traceID,
                    detail: "sent \(stream.traceID), meta.trace_id \(meta?["trace_id"]?.text ?? "none")"),
            Verdict("final.message_id equals meta.message_id", passed: final?["message_id"]?.string != nil && final?["message_id"] == meta?["message_id"],
                    detail: "meta \(meta?["message_id"]?.text ?? "none"), final \(final?["message_id"]?.text ?? "none")"),
            Verdict("final.finish_reason is a string", passed: final?["finish_reason"]?.string?.isEmpty == false, detail: final?["finish_reason"]?.text ?? "missing"),
            Verdict("final.usage has integer prompt_tokens and completion_tokens",
                    passed: usage?["prompt_tokens"]?.int != nil && usage?["completion_tokens"]?.int != nil, detail: usage?.text ?? "missing"),
        ]
    }

    private func dialectContents(_ stream: NormalisedStream) -> [Verdict] {
        var verdicts: [Verdict] = []
        if dialect.hasStart {
            let id: String? = stream.starts.first.flatMap { if case let .start(id) = $0.part { id } else { nil } }
            verdicts.append(Verdict("the start event names the message", passed: !(id ?? "").isEmpty, detail: id ?? "no message id"))
        }
        if dialect.carriesUsage {
            let usage = stream.usage
            verdicts.append(Verdict("the stream reports integer input and output token counts", passed: usage?.input?.int != nil && usage?.output?.int != nil,
                                    detail: usage.map { "input \($0.input?.text ?? "none"), output \($0.output?.text ?? "none")" } ?? "no usage"))
        }
        return verdicts
    }

    /// Flushed as produced: the first piece of text reached the client measurably before the terminal event.
    public func flushing(_ stream: MessageStream) -> Verdict {
        let normalised = stream.normalised
        let firstText = normalised.elements.first { if case let .text(piece) = $0.part { !piece.isEmpty } else { false } }
        guard let first = firstText, let last = normalised.terminals.first else {
            return Verdict("the first text arrives before the terminal event", passed: false, detail: "no text or no terminal event (\(dialect.name))")
        }
        let gap = last.arrival - first.arrival
        let encoding = stream.contentEncoding
        var detail = String(format: "gap %.1f ms; content encoding %@", gap.inMilliseconds, encoding)
        if gap < minimumFlushGap {
            // The usual causes, named where they can be told apart: the reply's encoding says which.
            detail += encoding == "identity"
                ? "; the frames arrived together: something between the model and the client buffers the stream (a proxy's " +
                  "proxy_buffering: send X-Accel-Buffering: no or turn it off for this route; or the backend writes without flushing)"
                : "; the frames arrived together, compressed (\(encoding)): a proxy compressing text/event-stream holds them until its " +
                  "buffer fills; turn compression off for text/event-stream (nginx: leave it out of gzip_types)"
        }
        return Verdict("the first text arrives at least \(minimumFlushGap) before the terminal event", passed: gap >= minimumFlushGap, detail: detail)
    }

    /// S2.4, a failure after the stream began: the 200 stream carries text, then exactly one
    /// error frame in the dialect's error shape (natively the K1 body, with the request's trace
    /// id), then nothing but the end marker, and the server closes it.
    public func failure(_ stream: MessageStream) -> [Verdict] {
        let elements = stream.normalised.elements
        let errors = stream.normalised.errors
        let firstError = elements.firstIndex { if case .error = $0.part { true } else { false } }
        let textBefore = firstError.map { index in elements[..<index].contains { if case let .text(piece) = $0.part { !piece.isEmpty } else { false } } } ?? false
        let body: JSONValue? = errors.first.flatMap { if case let .error(body) = $0.part { body } else { nil } }
        let doneFrames = Set(elements.filter { $0.part == .done }.map(\.frame))
        let after = firstError.map { elements[($0 + 1)...].filter { $0.part != .ping && $0.part != .done && !doneFrames.contains($0.frame) } } ?? []
        var verdicts = [
            Verdict("the stream began: status 200 and text before the failure", passed: stream.head.status == 200 && textBefore,
                    detail: "status \(stream.head.status); \(stream.transcript.summary)"),
            Verdict("exactly one error frame", passed: errors.count == 1, detail: "\(errors.count) error frame(s)"),
            Verdict("the error frame has the \(dialect.name) error shape", passed: body != nil && dialect.errorShapeProblem(body) == nil,
                    detail: dialect.errorShapeProblem(body) ?? body?.text.prefix(300).description),
            Verdict("nothing after the error frame but the end marker and pings", passed: firstError != nil && after.isEmpty,
                    detail: after.prefix(3).map { "frame \($0.frame): \($0.part)" }.joined(separator: "; ")),
            Verdict("the server closed the stream after the error frame", passed: stream.ending == .closedByServer, detail: "\(stream.ending)"),
        ]
        if isNative {
            verdicts.append(Verdict("the error body's trace_id is the request's X-Trace-Id", passed: body?["trace_id"]?.string == stream.traceID,
                                    detail: "sent \(stream.traceID), got \(body?["trace_id"]?.text ?? "none")"))
            verdicts.append(Verdict("the error body's status is an error status (4xx or 5xx)", passed: (400..<600).contains(body?["status"]?.int ?? 0),
                                    detail: body?["status"]?.text ?? "none"))
        }
        return verdicts
    }

    /// The other half of S2.5: the start event (`meta`) leaves before the model's first token.
    /// Judged only where the first text came late enough to tell (at least `minimumModelWait` after
    /// the head): then the start must have come in the first half of that wait, not with the token.
    /// Nil, with the reason, when this stream cannot tell.
    public func startLead(_ stream: MessageStream, minimumModelWait: Duration = .milliseconds(400)) -> (verdict: Verdict?, notExercised: String) {
        let normalised = stream.normalised
        guard let start = normalised.starts.first else { return (nil, "the \(dialect.name) stream has no start event") }
        guard let first = normalised.elements.first(where: { if case let .text(piece) = $0.part { !piece.isEmpty } else { false } }) else {
            return (nil, "the stream carries no text")
        }
        let wait = first.arrival - stream.transcript.headArrival
        guard wait >= minimumModelWait else {
            return (nil, String(format: "the first text came %.0f ms after the head, too soon to tell a held start from a prompt one", wait.inMilliseconds))
        }
        let lead = first.arrival - start.arrival
        return (Verdict("the start event arrives in the first half of the wait for the first text", passed: lead >= wait / 2,
                        detail: String(format: "head → first text %.0f ms; start → first text %.0f ms", wait.inMilliseconds, lead.inMilliseconds)), "")
    }
}

extension Array where Element == Verdict {
    public var failures: [Verdict] { filter { !$0.passed } }
}
