#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import Contract
import Evidence
@testable import LoadRunner
import LoopbackServer
import Transport

/// The stability runner's parts, offline: the trend test that fails a leak,
/// the outcome classes, and the fault proxy between a client and a loopback server.
@Suite("Load runner: trends, outcomes, the fault proxy")
struct LoadRunnerTests {
    @Test("a series that keeps growing faster than its floor a minute grows without bound; a flat or noisy one does not")
    func trends() {
        let leak = (0..<60).map { (x: Double($0) * 10, y: 50 + Double($0) * 2) }
        #expect(Trend(name: "rss", points: leak, floorPerMinute: 2).growsWithoutBound)
        let flat = (0..<60).map { (x: Double($0) * 10, y: 50 + Double($0 % 3)) }
        #expect(!Trend(name: "rss", points: flat, floorPerMinute: 2).growsWithoutBound)
        // A warm-up in the first third is not a leak.
        let warmUp = (0..<60).map { (x: Double($0) * 10, y: $0 < 20 ? Double($0) * 5 : 100) }
        #expect(!Trend(name: "rss", points: warmUp, floorPerMinute: 2).growsWithoutBound)
        #expect(abs(Trend(name: "fds", points: leak, floorPerMinute: 1).slopePerMinute - 12) < 0.001)
    }

    @Test("the CI soak's two minutes see a 3 MiB/min leak, sampled every 2 s with ±1 MiB of noise; v1's floor over the window let it pass")
    func leakAtCISize() {
        let leak: [(x: Double, y: Double)] = (0..<60).map { index in
            let noise: Double = index % 2 == 0 ? 1 : -1
            return (x: Double(index) * 2, y: 40 + Double(index) * 0.1 + noise)
        }
        #expect(Trend(name: "backend RSS (MiB)", points: leak, floorPerMinute: LoadRun.rssFloorPerMinute).growsWithoutBound)
    }

    @Test("a backend restarted mid-soak is fitted per lifetime: the new process's warm-up is not a leak, a leak in either lifetime is")
    func perLifetime() {
        let first: [(x: Double, y: Double)] = (0..<20).map { (x: Double($0) * 2, y: 40.0 + Double($0 % 2)) }
        let warm: [(x: Double, y: Double)] = (20..<60).map { index in
            let y: Double = index < 26 ? 10 + Double(index - 20) * 5 : 40 + Double(index % 2)
            return (x: Double(index) * 2, y: y)
        }
        #expect(!Trend(name: "rss", lifetimes: [first, warm], floorPerMinute: 2).growsWithoutBound)
        // The first lifetime's last third spans 12 s: too short to fit, and said so when it is all there is.
        #expect(!Trend(name: "rss", points: first, floorPerMinute: 2).fitted)
        let leaking: [(x: Double, y: Double)] = (20..<60).map { index in (x: Double(index) * 2, y: 40 + Double(index) * 0.1) }
        #expect(Trend(name: "rss", lifetimes: [first, leaking], floorPerMinute: 2).growsWithoutBound)
    }

    @Test("only a silent truncation or a violation breaks the contract whatever the fault; the error mix names each kind")
    func outcomes() {
        #expect(ClosureOutcome.silentTruncation.breaksContract)
        #expect(ClosureOutcome.violation("seq").breaksContract)
        #expect(!ClosureOutcome.transportError("curl error 7: Couldn't connect").breaksContract)
        #expect(!ClosureOutcome.errorFrame("{}").breaksContract)
        #expect(ClosureOutcome.refused(status: 429, code: "rate_limit.qps").kind == "429 rate_limit.qps")
        #expect(ClosureOutcome.transportError("http://x/api: curl error 18: transfer closed; came: 1 events").kind == "transport: curl error 18: transfer closed")
    }

    @Test("the proxy passes bytes through, delays them under latency, and refuses connections during a cut")
    func proxy() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let proxy = try TCPFaultProxy(upstreamPort: UInt16(server.port))
        defer { proxy.stop() }
        let http = HTTPClient()
        let url = "http://127.0.0.1:\(proxy.port)/bytes?size=5"
        let plain = try await http.send(RequestTemplate().request(.get, url))
        #expect(plain.status == 200 && plain.body.count == 5)

        proxy.set(.latency(milliseconds: 300, jitter: 0))
        let started = ContinuousClock.now
        let slow = try await http.send(RequestTemplate().request(.get, url, headers: ["Connection": "close"]))
        #expect(slow.status == 200)
        #expect(ContinuousClock.now - started >= .milliseconds(550), "a request and its answer each held 300 ms")

        proxy.set(.cut)
        await #expect(throws: (any Error).self) {
            _ = try await http.send(RequestTemplate().request(.get, url, headers: ["Connection": "close"], deadlines: Deadlines(connect: .seconds(2), total: .seconds(3))))
        }
        proxy.set(.pass)
        let again = try await http.send(RequestTemplate().request(.get, url, headers: ["Connection": "close"]))
        #expect(again.status == 200, "traffic flows again once the cut ends")
    }

    @Test("the faults of a plan are spread over the run, steady traffic before and after each")
    func plan() {
        let plan = FaultPlan.spread([.command(name: "a", shell: "true"), .network(name: "cut", mode: .cut, seconds: 5)], over: 90)
        #expect(plan.steps.map(\.at) == [30, 60])
    }
}

/// `anon-e2e load` reads the stream in the team's dialect, as the suite does.
@Suite struct LoadDialectTests {
    static func fixture(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/dialects/\(name).sse")
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// A backend that signs anyone in and answers every message with `body`, its trace id echoed.
    static func closure(dialect: String, body: String) async throws -> ClosureOutcome {
        let server = try LoopbackServer(handler: { request, writer in
            if request.path.hasSuffix("/signup") {
                let session = #"{"access_token":"a","refresh_token":"r","token_type":"bearer","expires_in":3600,"user":{"id":"u","is_anonymous":true}}"#
                writer.head(200, [("Content-Type", "application/json")], contentLength: session.utf8.count)
                writer.write(session)
                return
            }
            writer.head(200, [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"), ("X-Trace-Id", request.header("x-trace-id") ?? "")])
            writer.write(body)
        })
        defer { server.stop() }
        let configuration = Configuration(values: ["API_BASE": server.baseURL, "SUPABASE_URL": server.baseURL, "SUPABASE_ANON_KEY": "k",
                                                   "STREAM_DIALECT": dialect])
        let backend = StagingBackend(configuration: configuration, redactor: Redactor(configuration: configuration))
        return await ClosureDriver(backend: backend, users: 1).run(user: 0).outcome
    }

    @Test("an OpenAI Chat stream ending in [DONE] is a success read as openai-chat, and not one read as the native frames")
    func openAIChat() async throws {
        let body = try Self.fixture("openai-chat")
        #expect(try await Self.closure(dialect: "openai-chat", body: body) == .success)
        #expect(try await Self.closure(dialect: "native", body: body) != .success)
    }

    @Test("an error chunk inside a 200 stream is an error frame, in every dialect that has one")
    func errorChunk() async throws {
        let body = #"data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}"# + "\n\n" +
            #"data: {"error":{"message":"upstream failed","type":"server_error"}}"# + "\n\n"
        guard case .errorFrame = try await Self.closure(dialect: "openai-chat", body: body) else {
            Issue.record("the error chunk was not an error frame")
            return
        }
    }
}

/// The Locust export's own judge (Python), run by python3 on each dialect's documented transcript:
/// the functions of the exported file, without Locust itself, which only drives them.
@Suite struct LocustExportDialectTests {
    static let harness = """
    import ast, json, os, sys
    tree = ast.parse(open(sys.argv[1]).read())
    kept = [n for n in tree.body if isinstance(n, ast.FunctionDef)
            or (isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") in ("DIALECT", "MAPPING", "BODY"))]
    scope = {"json": json, "os": os}
    exec(compile(ast.Module(kept, []), sys.argv[1], "exec"), scope)
    frames = list(scope["events_of"](open(sys.argv[2]).read().split("\\n")))
    print(scope["judge_dialect"](frames))
    """

    static func judged(_ dialect: String, transcript: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("locust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("locustfile.py"), stream = directory.appendingPathComponent("stream.sse")
        try LocustFile.text(configuration: Configuration(values: ["STREAM_DIALECT": dialect])).write(to: file, atomically: true, encoding: .utf8)
        try transcript.write(to: stream, atomically: true, encoding: .utf8)
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = ["-c", harness, file.path, stream.path]
        let output = Pipe()
        python.standardOutput = output
        python.standardError = output
        try python.run()
        python.waitUntilExit()
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("each dialect's documented transcript passes the exported judge", arguments: ["openai-chat", "openai-responses", "anthropic", "ai-sdk-ui"])
    func documented(_ dialect: String) throws {
        #expect(try Self.judged(dialect, transcript: try LoadDialectTests.fixture(dialect)) == "None")
    }

    @Test("the exported judge fails an error chunk in the 200, a missing [DONE] and text after the end")
    func breaks() throws {
        let chat = try LoadDialectTests.fixture("openai-chat")
        let error = chat.replacingOccurrences(of: "data: [DONE]", with: #"data: {"error":{"message":"upstream failed"}}"# + "\n\ndata: [DONE]")
        #expect(try Self.judged("openai-chat", transcript: error).hasPrefix("an error frame inside the 200 stream"))
        #expect(try Self.judged("openai-chat", transcript: chat.replacingOccurrences(of: "data: [DONE]\n\n", with: "")) == "0 terminal events, not exactly one")
        let anthropic = try LoadDialectTests.fixture("anthropic") + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"late\"}}\n\n"
        #expect(try Self.judged("anthropic", transcript: anthropic).contains("after the terminal event"))
    }
}
