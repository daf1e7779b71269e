#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// A small HTTP/1.1 server on 127.0.0.1 for offline tests and benchmarks.
/// One thread per connection, one request per connection (`Connection:
/// close`); bodies without a length end when the server closes. Written on
/// plain sockets so it shares nothing with the libcurl transport it tests.
public final class LoopbackServer: Sendable {
    public typealias Handler = @Sendable (LoopbackRequest, LoopbackResponseWriter) -> Void

    public let port: Int
    private let listener: Int32
    private let handler: Handler
    private let log = Mutex<[LoopbackRequest]>([])
    private let stopped = Atomic<Bool>(false)

    public let host: String
    public var baseURL: String { "http://\(host):\(port)" }

    /// Every request served so far, in arrival order.
    public var requests: [LoopbackRequest] { log.withLock { $0 } }

    /// - Parameters:
    ///   - host: an IPv4 address of this machine (loopback by default; another one a remote server can reach, for lures).
    ///   - port: 0 for any free port.
    public init(host: String = "127.0.0.1", port: Int = 0, handler: @escaping Handler = LoopbackRoutes.standard) throws {
        signal(SIGPIPE, SIG_IGN)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackError.socket(errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 512) == 0 else { close(fd); throw LoopbackError.socket(errno) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        self.host = host
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.handler = handler
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "loopback.accept"
        thread.start()
    }

    deinit { stop() }

    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in serve(client) }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        let writer = LoopbackResponseWriter(fd: fd)
        defer { writer.close() }
        guard let request = LoopbackRequest.read(from: fd) else { return }
        log.withLock { $0.append(request) }
        handler(request, writer)
    }
}

public enum LoopbackError: Error, CustomStringConvertible {
    case socket(Int32)

    public var description: String {
        switch self {
        case let .socket(code): "the loopback server could not listen: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}

/// A parsed request: method, path, query, headers (lower-cased names), body.
public struct LoopbackRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.name == name.lowercased() }?.value
    }

    public func int(_ key: String, default value: Int) -> Int { query[key].flatMap(Int.init) ?? value }

    static func read(from fd: Int32) -> LoopbackRequest? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        var headEnd: Int?
        while headEnd == nil {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            buffer += chunk[0..<n]
            headEnd = buffer.firstRange(of: [13, 10, 13, 10])?.upperBound
            if buffer.count > 64 * 1024, headEnd == nil { return nil }
        }
        let headText = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        let target = String(requestLine[1])
        let pathAndQuery = target.split(separator: "?", maxSplits: 1)
        var query: [String: String] = [:]
        if pathAndQuery.count == 2 {
            for pair in pathAndQuery[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                query[String(kv[0])] = kv.count == 2 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
            }
        }
        let headers: [(name: String, value: String)] = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(buffer[headEnd!...])
        let length = headers.first { $0.name == "content-length" }.flatMap { Int($0.value) } ?? 0
        while body.count < length {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            body += chunk[0..<n]
        }
        return LoopbackRequest(method: String(requestLine[0]), path: String(pathAndQuery[0]), query: query, headers: headers, body: body)
    }
}

/// Writes one response; every write says whether the client is still there.
public final class LoopbackResponseWriter: Sendable {
    let fd: Int32
    private let closed = Atomic<Bool>(false)

    init(fd: Int32) { self.fd = fd }

    /// Status line and headers; without `contentLength` the body ends at close.
    @discardableResult
    public func head(_ status: Int, _ headers: [(String, String)] = [], contentLength: Int? = nil) -> Bool {
        var text = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Status")\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let contentLength { text += "Content-Length: \(contentLength)\r\n" }
        text += "\r\n"
        return write(Array(text.utf8))
    }

    @discardableResult
    public func write(_ string: String) -> Bool { write(Array(string.utf8)) }

    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 {
                    if n < 0, errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }

    public func close() {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }
}
