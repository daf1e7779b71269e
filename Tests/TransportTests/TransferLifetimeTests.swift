import LoopbackServer
import Testing
@testable import Transport
import Protocols

/// A finished transfer lets go of its libcurl handle: a soak of thousands of
/// requests must not keep one easy handle (about 9 KiB) per request.
@Suite("Transfer lifetime")
struct TransferLifetimeTests {
    @Test("after 200 requests and streams have ended, no transfer is alive")
    func transfersAreReleased() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let http = HTTPClient()
        // Counts only this test's transfers, whatever the tests beside it do.
        let live = TransferTally()
        try await CurlTransfer.$liveTally.withValue(live) {
            let open = try await http.stream(HTTPRequest(.get, server.baseURL + "/sse?events=3"))
            #expect(live.alive == 1, "the tally counts an open stream")
            for try await _ in EventStream(open) {}
            for index in 0..<100 {
                _ = try await http.send(HTTPRequest(.get, server.baseURL + "/bytes?size=\(index + 1)"))
                let stream = try await http.stream(HTTPRequest(.get, server.baseURL + "/sse?events=3"))
                for try await _ in EventStream(stream) {}
            }
        }
        let deadline = ContinuousClock.now + .seconds(2)
        while live.alive != 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(live.alive == 0, "transfers still alive after they ended")
    }

    @Test("close() answers once the engine has let the connection go, and the body then ends as cancelled")
    func closeAnswersWhenTheConnectionIsGone() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let stream = try await HTTPClient().stream(HTTPRequest(.get, server.baseURL + "/stall?seconds=30"))
        var body = stream.body.makeAsyncIterator()
        _ = try await body.next()
        let asked = ContinuousClock.now
        let closed = await stream.close()
        #expect(closed >= asked)
        do {
            _ = try await body.next()
            Issue.record("the body went on after close()")
        } catch is TransportError {}
    }
}
