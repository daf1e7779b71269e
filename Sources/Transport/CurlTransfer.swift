import CCurl
import Synchronization

/// One request on the wire: its easy handle, the callbacks libcurl calls on
/// the engine thread, and the state the consumer reads from other threads.
///
/// Safety of `@unchecked Sendable`: `easy`, `headerList`, `headParser`,
/// `lastActivity`, `awaitingFlush` and `errorBuffer` are used only on the engine thread (after
/// `init`); everything a consumer touches lives in `state`, the transfer's state machine
/// (`CurlTransfer+StateMachine.swift`) behind a mutex.
/// Transfers alive, counted for the task that set `CurlTransfer.liveTally`.
final class TransferTally: Sendable {
    let count = Atomic<Int>(0)
    var alive: Int { count.load(ordering: .relaxed) }
}

final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    /// Body bytes held for the consumer before the transfer pauses.
    let bufferLimit: Int
    /// SO_RCVBUF of a connection of its own, or nil for the engine's shared connections.
    let socketReceiveBuffer: Int?
    private(set) var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    private var headParser = ResponseHeadParser()
    private var lastActivity = ContinuousClock.now
    private var startedAt = ContinuousClock.now
    private var awaitingFlush = false
    private let state = Mutex(StateMachine())
    /// The tally this transfer counts itself in, if the task that made it set one.
    private let tally = CurlTransfer.liveTally

    init(_ request: HTTPRequest, bufferLimit: Int, socketReceiveBuffer: Int? = nil) throws {
        self.request = request
        self.bufferLimit = bufferLimit
        self.socketReceiveBuffer = socketReceiveBuffer
        guard let easy = curl_easy_init() else {
            throw TransportError.failed(url: request.url, code: -1, message: "curl_easy_init failed")
        }
        self.easy = easy
        tally?.count.add(1, ordering: .relaxed)
        try configure(easy)
    }

    /// Counts the transfers made under it that are still alive (each holds an
    /// easy handle until released): a task-local, so a test counts only its own.
    @TaskLocal static var liveTally: TransferTally?

    deinit {
        tally?.count.subtract(1, ordering: .relaxed)
        if let easy { curl_easy_cleanup(easy) }
        curl_slist_free_all(headerList)
    }

    var receivedBytes: Int64 { state.withLock { $0.receivedBytes } }

    // MARK: consumer side

    /// When the engine thread read the head (nil before it came).
    var headArrival: ContinuousClock.Instant? { state.withLock { $0.headArrival } }

    func awaitHead() async throws -> ResponseHead {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                state.withLock { $0.awaitHead(continuation, url: request.url) }.perform()
            }
        } onCancel: {
            CurlEngine.shared.submit(.cancel(self))
        }
    }

    /// The next body chunk, or nil at the end of the body.
    func nextChunk() async throws -> BodyChunk? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let (action, unpause) = state.withLock { $0.nextChunk(continuation, resumeBelow: bufferLimit / 2) }
                if unpause { CurlEngine.shared.submit(.resume(self)) }
                action.perform()
            }
        } onCancel: {
            CurlEngine.shared.submit(.cancel(self))
        }
    }

    /// Timings once the transfer is over.
    var timings: TransferTimings? { state.withLock { $0.timings } }

    func cancel() { CurlEngine.shared.submit(.cancel(self)) }

    /// Cancels, and answers once the engine has let the connection go: when that happened.
    func close() async -> ContinuousClock.Instant {
        await withCheckedContinuation { CurlEngine.shared.submit(.close(self, $0)) }
    }

    // MARK: engine side

    func started() {
        startedAt = .now
        lastActivity = startedAt
    }

    func unpausing() {
        lastActivity = .now
        state.withLock { $0.unpaused() }
    }

    /// The deadline this transfer has passed, if any: total first, then head, then idle.
    func expired(now: ContinuousClock.Instant) -> TransportError? {
        let deadlines = request.deadlines
        let (paused, hasHead, received) = state.withLock { ($0.paused, $0.hasHead, $0.receivedBytes) }
        if now - startedAt > deadlines.total {
            return .totalTimeout(url: request.url, after: deadlines.total, receivedBytes: received)
        }
        if let head = deadlines.head, !hasHead, now - startedAt > head {
            return .headTimeout(url: request.url, after: head)
        }
        if let idle = deadlines.idle, !paused, now - lastActivity > idle {
            return .idleTimeout(url: request.url, after: idle, receivedBytes: received)
        }
        return nil
    }

    fileprivate func received(_ bytes: UnsafeRawBufferPointer) -> Int {
        lastActivity = .now
        let accepted = state.withLock { $0.deliver(bytes, arrival: lastActivity, limit: bufferLimit) }
        if accepted, !awaitingFlush {
            awaitingFlush = true
            CurlEngine.shared.touched.append(self)
        }
        return accepted ? bytes.count : Int(ANON_CURL_WRITEFUNC_PAUSE)
    }

    /// Engine side, after each `curl_multi_perform`: hands what the turn's reads
    /// brought to a waiting consumer in one piece.
    func flush() {
        awaitingFlush = false
        state.withLock { $0.turnEnded() }.perform()
    }

    fileprivate func receivedHeader(_ line: String) {
        lastActivity = .now
        guard let head = headParser.feed(line) else { return }
        state.withLock { $0.headReceived(head, at: lastActivity) }.perform()
    }

    func complete(code: CURLcode) {
        guard let easy else { return }
        if code == CURLE_OK {
            finish(.success(readTimings(easy)))
            return
        }
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let timings = readTimings(easy)
        let error: TransportError
        let hasHead = state.withLock { $0.hasHead }
        if code == CURLE_OPERATION_TIMEDOUT, !hasHead, timings.connect == .zero {
            error = .connectTimeout(url: request.url, after: request.deadlines.connect)
        } else if code == CURLE_OPERATION_TIMEDOUT {
            error = .totalTimeout(url: request.url, after: request.deadlines.total, receivedBytes: receivedBytes)
        } else {
            error = .failed(url: request.url, code: Int(code.rawValue), message: message)
        }
        finish(.failure(error))
    }

    func finish(error: TransportError) { finish(.failure(error)) }

    private func finish(_ outcome: Result<TransferTimings, TransportError>) {
        state.withLock { $0.finish(outcome, url: request.url) }.perform()
    }

    private func readTimings(_ easy: UnsafeMutableRawPointer) -> TransferTimings {
        func micros(_ info: CURLINFO) -> Duration {
            var value: curl_off_t = 0
            anon_curl_getinfo_off(easy, info, &value)
            return .microseconds(value)
        }
        var version = 0
        anon_curl_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
        var size: curl_off_t = 0
        anon_curl_getinfo_off(easy, CURLINFO_SIZE_DOWNLOAD_T, &size)
        let versionName = switch version {
        case CURL_HTTP_VERSION_1_0: "1.0"
        case CURL_HTTP_VERSION_1_1: "1.1"
        case CURL_HTTP_VERSION_2_0: "2"
        case CURL_HTTP_VERSION_3: "3"
        default: "?"
        }
        return TransferTimings(
            dnsLookup: micros(CURLINFO_NAMELOOKUP_TIME_T), connect: micros(CURLINFO_CONNECT_TIME_T),
            tlsHandshake: micros(CURLINFO_APPCONNECT_TIME_T), firstByte: micros(CURLINFO_STARTTRANSFER_TIME_T),
            total: micros(CURLINFO_TOTAL_TIME_T), httpVersion: versionName, downloadedBytes: Int64(size))
    }

    private func configure(_ easy: UnsafeMutableRawPointer) throws {
        var failures: [CURLcode] = []
        func check(_ code: CURLcode) { if code != CURLE_OK { failures.append(code) } }
        let me = Unmanaged.passUnretained(self).toOpaque()
        check(anon_curl_setopt_string(easy, CURLOPT_URL, request.url))
        check(anon_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        // 64 KiB per read: large bodies move at the curl tool's speed, and 2,000 open streams cost 128 MiB at most.
        check(anon_curl_setopt_long(easy, CURLOPT_BUFFERSIZE, 64 * 1024))
        if let socketReceiveBuffer {
            // A connection of its own: a cached one would not have the size, and this one must not be reused slowly.
            check(anon_curl_set_receive_buffer(easy, Int32(clamping: socketReceiveBuffer)))
            check(anon_curl_setopt_long(easy, CURLOPT_FRESH_CONNECT, 1))
            check(anon_curl_setopt_long(easy, CURLOPT_FORBID_REUSE, 1))
        }
        check(anon_curl_setopt_write(easy, CURLOPT_WRITEFUNCTION, curlWrite))
        check(anon_curl_setopt_ptr(easy, CURLOPT_WRITEDATA, me))
        check(anon_curl_setopt_write(easy, CURLOPT_HEADERFUNCTION, curlHeader))
        check(anon_curl_setopt_ptr(easy, CURLOPT_HEADERDATA, me))
        errorBuffer.withUnsafeMutableBufferPointer { buffer in
            check(anon_curl_setopt_ptr(easy, CURLOPT_ERRORBUFFER, buffer.baseAddress))
        }
        check(anon_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(request.deadlines.connect.milliseconds)))
        // The engine enforces the total deadline by phase; libcurl's is a backstop.
        check(anon_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(request.deadlines.total.milliseconds) + 2000))
        check(anon_curl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, request.tls.verifyPeer ? 1 : 0))
        check(anon_curl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, request.tls.verifyPeer ? 2 : 0))
        if let bundle = request.tls.caBundlePath {
            check(anon_curl_setopt_string(easy, CURLOPT_CAINFO, bundle))
            // Never the multi handle's cached CA store: a transfer with its own bundle once
            // failed verification (curl error 60) as if checked against another transfer's store.
            check(anon_curl_setopt_long(easy, CURLOPT_CA_CACHE_TIMEOUT, 0))
        }
        if let certificate = request.tls.clientCertificatePath { check(anon_curl_setopt_string(easy, CURLOPT_SSLCERT, certificate)) }
        if let key = request.tls.clientKeyPath { check(anon_curl_setopt_string(easy, CURLOPT_SSLKEY, key)) }
        // libcurl sends the header as given and decodes gzip, deflate, br and zstd as the bytes arrive.
        if let encodings = request.acceptEncoding { check(anon_curl_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, encodings)) }
        let version: Int = switch request.version {
        case .automatic: CURL_HTTP_VERSION_2TLS
        case .http1_1: CURL_HTTP_VERSION_1_1
        case .http2PriorKnowledge: CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
        }
        check(anon_curl_setopt_long(easy, CURLOPT_HTTP_VERSION, version))

        // "Expect:" stops the 100-continue round trip libcurl adds to larger POSTs.
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            headerList = curl_slist_append(headerList, line)
        }
        check(anon_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList))

        switch request.method {
        case .get: check(anon_curl_setopt_long(easy, CURLOPT_HTTPGET, 1))
        case .head: check(anon_curl_setopt_long(easy, CURLOPT_NOBODY, 1))
        case .post: check(anon_curl_setopt_long(easy, CURLOPT_POST, 1))
        default: check(anon_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
        }
        if let body = request.body ?? (request.method == .post ? [] : nil) {
            check(anon_curl_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            body.withUnsafeBytes { check(anon_curl_setopt_ptr(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1))) }
        }
        if let first = failures.first {
            throw TransportError.failed(url: request.url, code: Int(first.rawValue), message: "setting up the request: \(String(cString: curl_easy_strerror(first)))")
        }
    }
}

private let curlWrite: curl_write_callback = { data, size, count, user in
    guard let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.received(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let curlHeader: curl_write_callback = { data, size, count, user in
    guard let user, let data else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
    transfer.receivedHeader(String(decoding: bytes, as: UTF8.self))
    return size * count
}
