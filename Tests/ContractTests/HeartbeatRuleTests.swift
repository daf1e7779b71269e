import Testing
@testable import Contract

/// S2.6 as the heartbeat case reads it: no silence past the interval and its
/// slack, and a ping in every stretch without events longer than the interval.
@Suite("Heartbeat rule")
struct HeartbeatRuleTests {
    let rule = HeartbeatRule(configuration: Configuration(values: ["SSE_PING_INTERVAL": "1"]))

    func entry(silence: Double, withoutEvent: Double, unpinged: Double, pings: Int) -> StreamLedger.Entry {
        StreamLedger.Entry(traceID: "t", longestSilence: .milliseconds(Int(silence * 1000)), longestWithoutEvent: .milliseconds(Int(withoutEvent * 1000)),
                           longestUnpinged: .milliseconds(Int(unpinged * 1000)), pings: pings)
    }

    @Test("pings on time through a 3 s pause hold the rule")
    func onTime() {
        #expect(rule.verdict(entry(silence: 1.05, withoutEvent: 3, unpinged: 0.3, pings: 3)).passed)
    }

    @Test("a backend that never pings fails through a pause a quarter interval past the interval (v1 passed it up to a half)")
    func neverPings() {
        #expect(!rule.verdict(entry(silence: 1.25, withoutEvent: 1.25, unpinged: 1.25, pings: 0)).passed)
        #expect(rule.exercised(entry(silence: 1.25, withoutEvent: 1.25, unpinged: 1.25, pings: 0)))
    }

    @Test("pings 1.4 intervals apart are late")
    func late() {
        #expect(!rule.verdict(entry(silence: 1.4, withoutEvent: 3, unpinged: 1.4, pings: 2)).passed)
    }
}
