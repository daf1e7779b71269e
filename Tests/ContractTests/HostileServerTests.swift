#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Contract
import Evidence
import LoopbackServer
import Protocols
@testable import Transport
import Testing

/// The stream case against servers that misbehave: each must make it fail
/// within its deadline, with bounded memory, saying what was expected and
/// what came. None may hang.
@Suite("The stream case against hostile servers", .timeLimit(.minutes(1)))
struct HostileServerTests {
    /// Short deadlines, so that a hang would show as a slow test, not a stuck one.
    static let deadlines: [String: String] = [
        "ANON_E2E_CONNECT_TIMEOUT": "2", "ANON_E2E_FIRST_BYTE_TIMEOUT": "2", "ANON_E2E_FIRST_TOKEN_TIMEOUT": "3",
        "ANON_E2E_IDLE_TIMEOUT": "2", "ANON_E2E_REPLY_TIMEOUT": "5",
    ]
    /// The longest any case may take: the reply deadline plus the engine's polling and a margin.
    static let bound = Duration.seconds(8)
    /// What one hostile stream may add to the process's resident memory.
    static let memoryBound = 96 << 20

    enum Outcome {
        case failedVerdicts([Verdict])
        case thrown(String)
    }

    /// Runs the stream case against one hostile route; answers what it said.
    func streamCase(_ route: String, handler: @escaping LoopbackServer.Handler) async throws -> (Outcome, Duration, Int) {
        let server = try LoopbackServer(handler: handler)
        defer { server.stop() }
        let configuration = Configuration(values: Self.deadlines.merging(["API_BASE": server.baseURL, "MESSAGES_PATH": route]) { $1 })
        let backend = StagingBackend(configuration: configuration, redactor: Redactor(configuration: configuration))
        let invariants = StreamInvariants(configuration: configuration)
        let rss = Self.residentBytes()
        let started = ContinuousClock.now
        let outcome: Outcome
        do {
            let stream = try await backend.messages.stream("hello", token: "t")
            outcome = .failedVerdicts((invariants.head(stream) + invariants.frames(stream)).failures)
        } catch {
            outcome = .thrown(String(describing: error))
        }
        return (outcome, ContinuousClock.now - started, Self.residentBytes() - rss)
    }

    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func sse(_ writer: LoopbackResponseWriter, contentType: String = "text/event-stream") -> Bool {
        writer.head(200, [("Content-Type", contentType), ("Cache-Control", "no-cache"), ("X-Trace-Id", "x")])
    }

    static func holdOpen(_ writer: LoopbackResponseWriter, seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, writer.write("") { usleep(50_000) }
    }

    /// Each hostile behaviour, the route that shows it, and words its failure must contain.
    static let hostile: [(name: String, expect: [String], handler: LoopbackServer.Handler)] = [
        ("garbage bytes instead of HTTP", ["curl error"], { _, writer in
            _ = writer.write((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
        }),
        ("headers that never come", ["head phase"], { _, writer in holdOpen(writer, seconds: 10) }),
        ("a body that stalls after meta", ["idle phase", "1 events"], { _, writer in
            guard sse(writer) else { return }
            _ = writer.write("id: 1\nevent: meta\ndata: {}\n\n")
            holdOpen(writer, seconds: 10)
        }),
        ("frames that never end", ["still open after", "no final"], { _, writer in
            guard sse(writer) else { return }
            var seq = 0
            while seq < 1_000_000 {
                seq += 1
                guard writer.write("id: \(seq)\nevent: delta\ndata: {\"seq\":\(seq),\"delta\":\"x\"}\n\n") else { return }
                usleep(2_000)
            }
        }),
        ("a 2 GiB line", ["grew past"], { _, writer in
            guard sse(writer) else { return }
            _ = writer.write("data: ")
            let block = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
            for _ in 0..<2048 { guard writer.write(block) else { return } }
        }),
        ("a wrong content type", ["text/event-stream", "text/html"], { _, writer in
            guard writer.head(200, [("Content-Type", "text/html")], contentLength: 13) else { return }
            _ = writer.write("<html></html>")
        }),
        ("an early close", ["exactly one final", "delta"], { _, writer in
            guard sse(writer) else { return }
            _ = writer.write("id: 1\nevent: meta\ndata: {}\n\nid: 2\nevent: delta\ndata: {\"seq\":1,\"delta\":\"he\"}\n\n")
        }),
        ("one byte a second", ["still open after"], { _, writer in
            guard sse(writer) else { return }
            for byte in Array("id: 1\nevent: meta\ndata: {}\n\n".utf8) {
                guard writer.write([byte]) else { return }
                sleep(1)
            }
        }),
        ("bad JSON in data", ["seq", "final.content"], { _, writer in
            guard sse(writer) else { return }
            _ = writer.write("id: 1\nevent: meta\ndata: {}\n\nid: 2\nevent: delta\ndata: {not json\n\nid: 3\nevent: final\ndata: [1,\n\n")
        }),
        ("300 KiB of headers", ["curl error"], { _, writer in
            let big = String(repeating: "a", count: 300 * 1024)
            _ = writer.head(200, [("Content-Type", "text/event-stream"), ("X-Huge", big)], contentLength: 0)
        }),
        ("a redirect loop", ["status is 200", "302"], { request, writer in
            _ = writer.head(302, [("Location", request.path)], contentLength: 0)
        }),
    ]

    @Test("each hostile server fails the stream case within its deadline, with bounded memory, saying what came",
          arguments: hostile.indices)
    func hostileServer(_ index: Int) async throws {
        let (name, expect, handler) = Self.hostile[index]
        let (outcome, elapsed, grown) = try await streamCase("/hostile", handler: handler)
        let message: String
        switch outcome {
        case let .failedVerdicts(failures):
            #expect(!failures.isEmpty, "\(name): the stream case passed")
            message = failures.map { "expected \($0.check); \($0.detail ?? "")" }.joined(separator: " | ")
        case let .thrown(error):
            message = error
        }
        #expect(elapsed < Self.bound, "\(name): took \(elapsed)")
        #expect(grown < Self.memoryBound, "\(name): resident memory grew by \(grown >> 20) MiB")
        for word in expect {
            #expect(message.contains(word), "\(name): the failure does not say '\(word)': \(message.prefix(600))")
        }
    }
}
