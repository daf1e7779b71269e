import Foundation
import LoopbackServer
import Testing
@testable import Transport
import Protocols

@Suite("HTTPClient (libcurl) against a loopback server", .timeLimit(.minutes(1)))
struct HTTPClientTests {
    let server: LoopbackServer
    let client = HTTPClient()

    init() throws { server = try LoopbackServer() }

    @Test("a POST round-trips its body and headers")
    func roundTrip() async throws {
        let response = try await client.send(RequestTemplate().json(.post, server.baseURL + "/echo", #"{"a":1}"#, headers: ["X-Trace-Id": "t-1"]))
        #expect(response.status == 200)
        #expect(response.text == #"{"a":1}"#)
        #expect(response.headers["x-trace-id"] == "t-1")
        #expect(response.headers["X-Echo-Method"] == "POST")
        #expect(response.timings.httpVersion == "1.1")
        #expect(response.timings.total >= response.timings.firstByte)
        #expect(response.timings.firstByte >= response.timings.connect)
    }

    @Test("multi-valued response headers keep every value in order")
    func multiValuedHeaders() async throws {
        let response = try await client.send(HTTPRequest(.get, server.baseURL + "/headers"))
        #expect(response.headers.values("set-cookie") == ["a=1", "b=2"])
        #expect(response.headers["X-SINGLE"] == "one")
    }

    @Test("a server that answers nothing hits the total deadline")
    func totalDeadline() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let request = HTTPRequest(.get, server.baseURL + "/silent?seconds=10", deadlines: .init(total: .milliseconds(500), idle: nil))
        await #expect(throws: TransportError.self) { _ = try await client.send(request) }
        #expect(clock.now - start < .seconds(3))
    }

    @Test("a refused connection fails at once with curl's reason")
    func refused() async throws {
        let port = server.port
        server.stop()
        let error = await #expect(throws: TransportError.self) {
            _ = try await client.send(HTTPRequest(.get, "http://127.0.0.1:\(port)/"))
        }
        guard case let .failed(_, code, _)? = error else { Issue.record("expected .failed, got \(String(describing: error))"); return }
        #expect(code == 7) // CURLE_COULDNT_CONNECT
    }

    @Test("a stream that goes silent fails with the idle deadline, naming the bytes that came")
    func idleDeadline() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let request = HTTPRequest(.get, server.baseURL + "/stall?seconds=10", deadlines: .init(total: .seconds(20), idle: .milliseconds(700)))
        let stream = try await client.stream(request)
        var received = 0
        let error = await #expect(throws: TransportError.self) {
            for try await chunk in stream.body { received += chunk.bytes.count }
        }
        guard case let .idleTimeout(_, _, bytes)? = error else { Issue.record("expected .idleTimeout, got \(String(describing: error))"); return }
        #expect(bytes == Int64(received))
        #expect(received > 0)
        #expect(clock.now - start < .seconds(3))
    }

    @Test("cancelling the task aborts the transfer at once")
    func cancellation() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let task = Task {
            let stream = try await client.stream(HTTPRequest(.get, server.baseURL + "/endless?interval_ms=5", deadlines: .init(total: .seconds(30))))
            for try await _ in stream.body {}
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = await task.result
        #expect(throws: (any Error).self) { try result.get() }
        #expect(clock.now - start < .seconds(2))
    }

    @Test("a slow consumer pauses the transfer: buffered bytes stay under the limit, nothing is lost")
    func backpressure() async throws {
        let limit = 256 * 1024
        let total = 32 * 1024 * 1024
        let client = HTTPClient(streamBufferLimit: limit)
        let stream = try await client.stream(HTTPRequest(.get, server.baseURL + "/bytes?size=\(total)", deadlines: .init(total: .seconds(50))))
        var consumed = 0
        var maxAhead: Int64 = 0
        var sleptAt = 0
        for try await chunk in stream.body {
            consumed += chunk.bytes.count
            // received - consumed is what the client holds: bounded by the limit
            // plus one libcurl buffer (64 KiB), however slow the consumer.
            maxAhead = max(maxAhead, stream.receivedBytes - Int64(consumed))
            if consumed - sleptAt > 4 * 1024 * 1024 {
                sleptAt = consumed
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        #expect(consumed == total)
        #expect(maxAhead <= Int64(limit + 64 * 1024), "held \(maxAhead) bytes ahead of the consumer")
    }

    @Test("a small socket receive buffer on a connection of its own: the whole body still arrives")
    func smallReceiveBuffer() async throws {
        let total = 4 * 1024 * 1024
        let client = HTTPClient(streamBufferLimit: 4 * 1024, socketReceiveBuffer: 16 * 1024)
        let stream = try await client.stream(HTTPRequest(.get, server.baseURL + "/bytes?size=\(total)", deadlines: .init(total: .seconds(30))))
        var consumed = 0
        for try await chunk in stream.body { consumed += chunk.bytes.count }
        #expect(consumed == total)
    }

    @Test("the largest send buffer is the third number of tcp_wmem; Linux's default where it cannot be read")
    func largestSendBuffer() {
        #expect(SocketBuffers.largest(in: "4096\t16384\t4194304\n") == 4_194_304)
        #expect(SocketBuffers.largest(in: "garbage") == nil)
        #expect(SocketBuffers.largestSendBuffer(tcpWmem: "/nonexistent") == 4 << 20)
    }

    @Test("64 concurrent streams complete, each with every event in order")
    func concurrentStreams() async throws {
        let events = 20
        let counts = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<64 {
                group.addTask {
                    let response = try await client.stream(HTTPRequest(.get, server.baseURL + "/sse?events=\(events)&interval_ms=10"))
                    var ids: [String] = []
                    for try await item in EventStream(response) {
                        if let id = item.event?.id { ids.append(id) }
                    }
                    return ids
                }
            }
            var all: [[String]] = []
            for try await ids in group { all.append(ids) }
            return all
        }
        #expect(counts.count == 64)
        for ids in counts { #expect(ids == (1...events).map(String.init)) }
    }

    @Test("events arrive as they are sent, not at the end")
    func eventsArriveIncrementally() async throws {
        let response = try await client.stream(HTTPRequest(.get, server.baseURL + "/sse?events=5&interval_ms=100"))
        var arrivals: [ContinuousClock.Instant] = []
        for try await item in EventStream(response) { arrivals.append(item.arrival) }
        #expect(arrivals.count == 5)
        #expect(arrivals.last! - arrivals.first! >= .milliseconds(300))
    }
}
