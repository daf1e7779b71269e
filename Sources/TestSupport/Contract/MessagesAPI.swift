import Foundation

/// `POST /api/v1/messages` in contract terms.
public struct MessagesAPI: Sendable {
    public let backend: StagingBackend

    /// The contract's request body.
    public static func body(_ content: String, conversation: String? = nil, system: String? = nil) -> String {
        var object: [String: JSONValue] = ["messages": .array([.object(["role": .string("user"), "content": .string(content)])])]
        if let conversation { object["conversation_id"] = .string(conversation) }
        if let system { object["system"] = .string(system) }
        return JSONValue.object(object).text
    }

    /// The contract's message request, as every case sends it.
    public func request(_ content: String, token: String?, traceID: String? = StagingBackend.newTraceID(), conversation: String? = nil,
                        accept: String = "application/json", lastEventID: String? = nil) -> HTTPRequest {
        var request = backend.request(.post, backend.url(.messagesPath), token: token, traceID: traceID,
                                      json: Self.body(content, conversation: conversation), accept: accept)
        if let lastEventID { request.headers.add("Last-Event-ID", lastEventID) }
        return request
    }

    /// Sends a message and reads the whole event stream (bounded by the
    /// request deadlines and the parser's line limit).
    public func stream(_ content: String, token: String, traceID: String = StagingBackend.newTraceID(),
                       conversation: String? = nil) async throws -> MessageStream {
        let request = request(content, token: token, traceID: traceID, conversation: conversation, accept: "text/event-stream")
        let started = Date()
        let response = try await backend.http.stream(request)
        var transcript = EventTranscript(started: response.started)
        var body: [UInt8] = []
        var ending: MessageStream.Ending = .closedByServer
        if EventStreamContentType.matches(response.headers["Content-Type"]) {
            do {
                for try await item in EventStream(response) { transcript.append(item) }
            } catch {
                ending = .failed(String(describing: error))
            }
        } else {
            for try await chunk in response.body where body.count < 64 * 1024 { body += chunk.bytes }
        }
        return MessageStream(request: request, traceID: traceID, head: response.head, transcript: transcript,
                             nonStreamBody: body, ending: ending, startedAt: started, timings: response.timings)
    }

    /// Sends a message asking for the JSON answer.
    public func json(_ content: String, token: String, traceID: String = StagingBackend.newTraceID()) async throws -> HTTPResponse {
        try await backend.http.send(request(content, token: token, traceID: traceID))
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

    public init(request: HTTPRequest, traceID: String, head: ResponseHead, transcript: EventTranscript, nonStreamBody: [UInt8],
                ending: Ending, startedAt: Date, timings: TransferTimings?) {
        self.request = request
        self.traceID = traceID
        self.head = head
        self.transcript = transcript
        self.nonStreamBody = nonStreamBody
        self.ending = ending
        self.startedAt = startedAt
        self.timings = timings
    }

    public var events: [ServerSentEvent] { transcript.items.compactMap(\.event) }
    public var comments: [EventStreamItem] { transcript.items.filter { if case .comment = $0 { true } else { false } } }

    public func first(_ type: String) -> ServerSentEvent? { events.first { $0.type == type } }
    public func data(_ event: ServerSentEvent?) -> JSONValue? { event.flatMap { JSONValue.parse($0.data) } }
}
