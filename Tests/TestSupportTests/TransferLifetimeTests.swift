import Foundation
import LoopbackServer
import Testing
@testable import TestSupport

/// A finished transfer lets go of its libcurl handle: a soak of thousands of
/// requests must not keep one easy handle (about 9 KiB) per request.
@Suite("Transfer lifetime", .serialized)
struct TransferLifetimeTests {
    @Test("after 200 requests and streams have ended, no transfer is alive")
    func transfersAreReleased() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let http = HTTPClient()
        let before = CurlTransfer.live.load(ordering: .relaxed)
        for index in 0..<100 {
            _ = try await http.send(HTTPRequest(.get, server.baseURL + "/bytes?size=\(index + 1)"))
            let stream = try await http.stream(HTTPRequest(.get, server.baseURL + "/sse?events=3"))
            for try await _ in EventStream(stream) {}
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(CurlTransfer.live.load(ordering: .relaxed) - before == 0, "transfers still alive after they ended")
    }
}
