import Foundation
import Synchronization
import Evidence
import Protocols
import Transport

/// `POST /api/v1/messages` in contract terms.
public struct MessagesAPI: Sendable {
    public let backend: StagingBackend

    /// The contract's own request body (§2), whatever the dialect: the cases that send a body the API must refuse.
    public static func body(_ content: String, conversation: String? = nil, system: String? = nil) -> String {
        var object: [String: JSONValue] = ["messages": .array([.object(["role": .string("user"), "content": .string(content)])])]
        if let conversation { object["conversation_id"] = .string(conversation) }
        if let system { object["system"] = .string(system) }
        return JSONValue.object(object).text
    }

    /// The contract's message request, as every case sends it, with the
    /// deadlines of a reply (a model answers in its own time, JSON or stream).
    public func request(_ content: String, token: String?, traceID: String? = StagingBackend.newTraceID(), conversation: String? = nil,
                        system: String? = nil, accept: String = "application/json", lastEventID: String? = nil) -> HTTPRequest {
        let body = backend.requestBody.render(content, conversation: conversation, system: system, stream: accept == "text/event-stream")
        var request = backend.request(.post, backend.url(.messagesPath), token: token, traceID: traceID, json: body, accept: accept)
        request.deadlines = backend.messageDeadlines
        if let lastEventID { request.headers.add("Last-Event-ID", lastEventID) }
        if let traceID { backend.onMessage?(traceID) }
        return request
    }

    /// The most items one stream may deliver before the suite stops reading:
    /// a stream that never sends `final` fails on this or on the reply deadline.
    public static let maxItems = 100_000

    /// Sends a message and reads the whole event stream. Bounded in time by
    /// the reply's phase deadlines (connect, first byte, first token, idle,
    /// total) and in memory by the parser's limits and `maxItems`; a stream
    /// that breaks one ends as `.failed` with what was expected and what came.
    public func stream(_ content: String, token: String, traceID: String = StagingBackend.newTraceID(),
                       conversation: String? = nil, system: String? = nil) async throws -> MessageStream {
        let request = request(content, token: token, traceID: traceID, conversation: conversation, system: system, accept: "text/event-stream")
        return try await read(request, traceID: traceID)
    }

    /// Reads an already built message request as an event stream.
    public func read(_ request: HTTPRequest, traceID: String) async throws -> MessageStream {
        let started = Date()
        let response = try await backend.http.stream(request)
        backend.inFlight.opened()
        defer { backend.inFlight.closed() }
        var transcript = EventTranscript(started: response.started, headArrival: response.headArrival)
        var body: [UInt8] = []
        var ending: MessageStream.Ending = .closedByServer
        let dialect = backend.dialect
        // What a stream that never ends lacks, in the dialect's words.
        let terminal = (dialect as? NativeDialect)?.final ?? "terminal event (\(dialect.name))"
        if EventStreamContentType.matches(response.headers["Content-Type"]) {
            var sawToken = false
            do {
                for try await item in EventStream(response) {
                    transcript.append(item)
                    if !sawToken, let event = item.event { sawToken = dialect.answers(event) }
                    if !sawToken, item.arrival - response.started > backend.firstTokenTimeout {
                        response.cancel()
                        ending = .failed("first-token deadline: no text and no \(terminal) within \(backend.firstTokenTimeout) " +
                                         "(ANON_E2E_FIRST_TOKEN_TIMEOUT); came: \(transcript.summary)")
                        break
                    }
                    if transcript.items.count >= Self.maxItems {
                        response.cancel()
                        ending = .failed("over \(Self.maxItems) items and still no end; came: \(transcript.summary)")
                        break
                    }
                }
            } catch let error as TransportError {
                if case .totalTimeout = error {
                    ending = .failed("still open after \(backend.replyTimeout) (ANON_E2E_REPLY_TIMEOUT), \(transcript.events.count) frames, " +
                                     "no \(terminal) or end: \(transcript.summary)")
                } else {
                    ending = .failed("\(error); came: \(transcript.summary)")
                }
            } catch {
                ending = .failed("\(error); came: \(transcript.summary)")
            }
        } else {
            do {
                for try await chunk in response.body where body.count < 64 * 1024 { body += chunk.bytes }
            } catch {
                ending = .failed("\(error)")
            }
        }
        let stream = MessageStream(request: request, traceID: traceID, head: response.head, transcript: transcript,
                                   nonStreamBody: body, ending: ending, startedAt: started, timings: response.timings, dialect: dialect)
        await backend.ledger.add(stream)
        backend.onStream?(stream)
        return stream
    }

    /// The conversation a JSON answer names: the contract's `conversation_id`, or (another dialect's
    /// answer has no such field) the `X-Conversation-Id` header.
    public static func conversationID(of answer: HTTPResponse) -> String? {
        JSONValue.parse(answer.body)?["conversation_id"]?.string ?? answer.headers["X-Conversation-Id"]
    }

    /// Sends a message asking for the JSON answer.
    public func json(_ content: String, token: String, traceID: String = StagingBackend.newTraceID(), system: String? = nil) async throws -> HTTPResponse {
        try await backend.http.send(request(content, token: token, traceID: traceID, system: system))
    }
}

/// One message's event stream as it arrived.
public struct MessageStream: Sendable {
    public enum Ending: Sendable, Equatable {
        case closedByServer
        case failed(String)
    }

    public let request: HTTPRequest
    public let traceID: String
    public let head: ResponseHead
    public let transcript: EventTranscript
    /// The body when the answer was not an event stream (an error, say).
    public let nonStreamBody: [UInt8]
    public let ending: Ending
    /// Wall-clock start, for "written after the request began" checks in the database.
    public let startedAt: Date
    public let timings: TransferTimings?
    /// The wire format its frames are read in.
    public let dialect: any StreamDialect

    /// The `Content-Encoding` the reply came in (`identity` when none): a proxy that
    /// compresses `text/event-stream` holds the frames until its buffer fills.
    public var contentEncoding: String { head.headers["Content-Encoding"] ?? "identity" }

    public init(request: HTTPRequest, traceID: String, head: ResponseHead, transcript: EventTranscript, nonStreamBody: [UInt8],
                ending: Ending, startedAt: Date, timings: TransferTimings?, dialect: any StreamDialect = NativeDialect()) {
        self.request = request
        self.traceID = traceID
        self.head = head
        self.transcript = transcript
        self.nonStreamBody = nonStreamBody
        self.ending = ending
        self.startedAt = startedAt
        self.timings = timings
        self.dialect = dialect
    }

    public var events: [ServerSentEvent] { transcript.events }
    public var comments: [EventStreamItem] { transcript.items.filter { if case .comment = $0 { true } else { false } } }

    public func first(_ type: String) -> ServerSentEvent? { events.first { $0.type == type } }

    /// The frames as the dialect reads them.
    public var normalised: NormalisedStream { dialect.normalise(transcript.items) }

    /// The reply as the client keeps it: the terminal event's text where the dialect repeats it
    /// (native `final.content`), else the deltas joined; nil without a terminal event.
    public var reply: String? {
        let stream = normalised
        guard let terminal = stream.terminals.first else { return nil }
        if case let .terminal(_, text?) = terminal.part { return text }
        return stream.text
    }

    /// The conversation the message joined: native `meta.conversation_id`, else the `X-Conversation-Id` header.
    public var conversationID: String? {
        guard let native = dialect as? NativeDialect else { return head.headers["X-Conversation-Id"] }
        return data(first(native.meta))?["conversation_id"]?.string
    }

    /// TTFT, chunk gaps, tokens per second.
    public var timing: StreamTiming { StreamTiming(normalised, started: transcript.started, headArrival: transcript.headArrival) }
    public func data(_ event: ServerSentEvent?) -> JSONValue? { event.flatMap { JSONValue.parse($0.data) } }
}

/// How many message streams this process holds open at once, and the most so far (a metric of the run).
public final class StreamsInFlight: Sendable {
    private let state = Mutex((now: 0, most: 0))
    public init() {}
    public var most: Int { state.withLock { $0.most } }
    func opened() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
    func closed() { state.withLock { $0.now -= 1 } }
}
