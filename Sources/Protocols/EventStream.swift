import Transport
/// The items of an event stream as they arrive over a streaming response:
/// each carries the arrival instant of the chunk that completed it.
public struct EventStream: AsyncSequence, Sendable {
    public typealias Element = EventStreamItem
    public let response: StreamingResponse
    public let maxLineBytes: Int

    public init(_ response: StreamingResponse, maxLineBytes: Int = 8 << 20) {
        self.response = response
        self.maxLineBytes = maxLineBytes
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var body: ResponseBody.AsyncIterator
        var parser: EventStreamParser
        var pending: [EventStreamItem] = []
        var index = 0
        var ended = false

        public mutating func next() async throws -> EventStreamItem? {
            while index == pending.count {
                if ended { return nil }
                guard let chunk = try await body.next() else {
                    parser.finish()
                    ended = true
                    return nil
                }
                try parser.feed(chunk.bytes, arrival: chunk.arrival, into: &pending)
                index = 0
            }
            defer { index += 1 }
            return pending[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(body: response.body.makeAsyncIterator(), parser: EventStreamParser(maxLineBytes: maxLineBytes))
    }
}

/// Whether a `Content-Type` names an event stream: `text/event-stream`, any
/// case, parameters allowed (`;charset=utf-8`, a trailing `;`).
public enum EventStreamContentType {
    public static func matches(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let essence = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return essence.trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            .trimmingSuffix(while: { $0 == " " || $0 == "\t" }).lowercased() == "text/event-stream"
    }
}
