#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import Transport

private let nghttpd = "/usr/sbin/nghttpd"

/// A throwaway HTTPS server: nghttpd (HTTP/2 over TLS, ALPN) with a
/// self-signed certificate for 127.0.0.1 made by openssl.
final class TLSServer {
    let port: Int
    let caFile: String
    private let process: Process
    private let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("anon-e2e-tls-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "hello over tls\n".write(to: directory.appendingPathComponent("hello.txt"), atomically: true, encoding: .utf8)
        let key = directory.appendingPathComponent("key.pem").path, cert = directory.appendingPathComponent("cert.pem").path
        try Self.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                                           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert])
        caFile = cert
        port = 20_000 + Int.random(in: 0..<40_000)
        process = Process()
        process.executableURL = URL(fileURLWithPath: nghttpd)
        process.arguments = ["--htdocs=\(directory.path)", "--address=127.0.0.1", String(port), key, cert]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 where !Self.accepts(port) { usleep(50_000) }
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    var url: String { "https://127.0.0.1:\(port)/hello.txt" }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

@Suite("HTTPClient over TLS and HTTP/2", .enabled(if: FileManager.default.isExecutableFile(atPath: nghttpd), "needs nghttpd (ci/install-deps installs nghttp2-server)"),
       .timeLimit(.minutes(1)))
struct TLSTests {

    @Test("TLS verification is on by default: a self-signed server is refused")
    func verificationOnByDefault() async throws {
        let server = try TLSServer()
        let error = await #expect(throws: TransportError.self) { _ = try await HTTPClient().send(HTTPRequest(.get, server.url)) }
        guard case let .failed(_, code, _)? = error else { Issue.record("expected a TLS failure, got \(String(describing: error))"); return }
        #expect(code == 60, "expected CURLE_PEER_FAILED_VERIFICATION (60), got \(code)")
    }

    @Test("with its CA bundle the same server answers, over HTTP/2 by ALPN, with a TLS handshake timing")
    func caBundleAndHTTP2() async throws {
        let server = try TLSServer()
        let response = try await HTTPClient().send(HTTPRequest(.get, server.url, tls: TLSOptions(caBundlePath: server.caFile)))
        #expect(response.status == 200)
        #expect(response.text == "hello over tls\n")
        #expect(response.timings.httpVersion == "2")
        #expect(response.timings.tlsHandshake > .zero)
        #expect(response.timings.tlsHandshake >= response.timings.connect)
    }
}
