/// The transport a case uses: one line for a whole response, or a stream of
/// the body as it arrives. Every transfer runs on the shared libcurl engine.
public struct HTTPClient: Sendable {
    /// Body bytes a stream holds for a slow consumer before the transfer
    /// pauses: what bounds memory however large or slow the stream is.
    public var streamBufferLimit: Int
    /// The largest body `send` collects.
    public var maxBodyBytes: Int
    /// The kernel's receive buffer (SO_RCVBUF) for each transfer, on a connection of its own; nil: the
    /// kernel's default, which grows to megabytes. Linux keeps twice what is asked (socket(7)).
    public var socketReceiveBuffer: Int?

    public init(streamBufferLimit: Int = 1 << 20, maxBodyBytes: Int = 16 << 20, socketReceiveBuffer: Int? = nil) {
        self.streamBufferLimit = streamBufferLimit
        self.maxBodyBytes = maxBodyBytes
        self.socketReceiveBuffer = socketReceiveBuffer
    }

    /// Sends the request and reads the whole body (up to `maxBodyBytes`).
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let started = ContinuousClock.now
        let stream = try await self.stream(request)
        var body: [UInt8] = []
        for try await chunk in stream.body {
            body += chunk.bytes
            if body.count > maxBodyBytes {
                stream.cancel()
                throw TransportError.bodyTooLarge(url: request.url, limit: maxBodyBytes)
            }
        }
        return HTTPResponse(head: stream.head, body: body, timings: stream.timings ?? TransferTimings(), started: started)
    }

    /// Starts the request and returns once the response head has arrived; the
    /// body follows as an async sequence of chunks.
    public func stream(_ request: HTTPRequest) async throws -> StreamingResponse {
        let started = ContinuousClock.now
        let transfer = try CurlTransfer(request, bufferLimit: streamBufferLimit, socketReceiveBuffer: socketReceiveBuffer)
        let lifetime = TransferLifetime(transfer)
        CurlEngine.shared.submit(.add(transfer))
        let head = try await transfer.awaitHead()
        // Stamped where the head was read, as each body chunk is: a consumer scheduled late does not make the head late.
        return StreamingResponse(head: head, lifetime: lifetime, started: started, headArrival: transfer.headArrival ?? .now)
    }
}

/// Cancels a transfer nobody reads any more, so a dropped stream does not
/// keep a connection open.
final class TransferLifetime: Sendable {
    let transfer: CurlTransfer
    init(_ transfer: CurlTransfer) { self.transfer = transfer }
    deinit { transfer.cancel() }
}

/// A response whose body is still arriving.
public struct StreamingResponse: Sendable {
    public let head: ResponseHead
    /// Monotonic instant the request was started.
    public let started: ContinuousClock.Instant
    /// Monotonic instant the head arrived: when the engine thread read its last line.
    public let headArrival: ContinuousClock.Instant
    let lifetime: TransferLifetime

    init(head: ResponseHead, lifetime: TransferLifetime, started: ContinuousClock.Instant, headArrival: ContinuousClock.Instant) {
        self.head = head
        self.lifetime = lifetime
        self.started = started
        self.headArrival = headArrival
    }

    public var status: Int { head.status }
    public var headers: HTTPHeaders { head.headers }
    public var url: String { lifetime.transfer.request.url }
    public var body: ResponseBody { ResponseBody(lifetime: lifetime) }
    /// libcurl's timings, once the body has ended.
    public var timings: TransferTimings? { lifetime.transfer.timings }
    /// Body bytes received so far.
    public var receivedBytes: Int64 { lifetime.transfer.receivedBytes }

    /// Aborts the transfer from the client side (closes the connection).
    public func cancel() { lifetime.transfer.cancel() }

    /// Aborts the transfer and waits until its connection is let go (closed, or its
    /// HTTP/2 stream reset): the instant a server can first see the client gone.
    public func close() async -> ContinuousClock.Instant { await lifetime.transfer.close() }
}

/// The body of a streaming response, chunk by chunk as it came off the wire.
/// Reading slower than the network pauses the transfer instead of buffering.
public struct ResponseBody: AsyncSequence, Sendable {
    public typealias Element = BodyChunk
    let lifetime: TransferLifetime

    public struct AsyncIterator: AsyncIteratorProtocol {
        let lifetime: TransferLifetime
        public mutating func next() async throws -> BodyChunk? {
            try await lifetime.transfer.nextChunk()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(lifetime: lifetime) }
}

/// A whole response.
public struct HTTPResponse: Sendable {
    public let head: ResponseHead
    public let body: [UInt8]
    public let timings: TransferTimings
    public let started: ContinuousClock.Instant

    public var status: Int { head.status }
    public var headers: HTTPHeaders { head.headers }
    public var text: String { String(decoding: body, as: UTF8.self) }
}
