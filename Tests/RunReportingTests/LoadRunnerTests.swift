#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
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
