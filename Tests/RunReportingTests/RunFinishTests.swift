import Foundation
import Testing
import Contract
import RunHistory
@testable import RunReporting

/// `anon-e2e finish`: one judgement, and every output says it.
@Suite struct RunFinishTests {
    static let secret = "sb_publishable_canary_0123456789"

    /// A run folder and a history of its own, under a fresh temporary folder.
    struct Scratch {
        let root: URL
        var run: URL { root.appendingPathComponent("artifacts/run-1") }
        var history: String { root.appendingPathComponent("artifacts/history.sqlite").path }
        var junit: URL { root.appendingPathComponent("junit.xml") }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("finish-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        }

        func finish(_ outcome: RunOutcome, values: [String: String] = [:], configurationError: String? = nil) async throws -> RunFinish.Finished {
            let configuration = Configuration(values: ["ANON_E2E_HISTORY": history, "SUPABASE_ANON_KEY": RunFinishTests.secret,
                                                       "ANON_E2E_STRICT": "1", "API_BASE": "http://127.0.0.1:1", "ANON_E2E_CAPABILITIES": "api"].merging(values) { $1 })
            var finish = RunFinish(configuration: configuration, configurationError: configurationError, directory: run)
            finish.junit = junit
            return try await finish.finish(outcome, gitCommit: "abc")
        }

        func text(_ name: String) throws -> String { try String(contentsOf: run.appendingPathComponent(name), encoding: .utf8) }
        func lastRun() throws -> HistoryRun { try #require(try HistoryDatabase(path: history).lastRuns(1).first) }
    }

    /// An event stream of `count` passing cases, cut after `endedCases` of them when given (the process died there).
    static func events(count: Int, endedCases: Int? = nil, runEnded: Bool = true) -> Data {
        var lines = [#"{"kind":"test","payload":{"id":"AnonE2ETests.StagingXTests","kind":"suite","name":"StagingXTests","displayName":"StagingXTests"}}"#]
        for index in 1...count {
            lines.append(#"{"kind":"test","payload":{"id":"AnonE2ETests.StagingXTests/c\#(index)()/F.swift:\#(index):1","kind":"function","name":"c\#(index)()","displayName":"case \#(index)"}}"#)
        }
        for index in 1...(endedCases ?? count) {
            let id = "AnonE2ETests.StagingXTests/c\(index)()/F.swift:\(index):1"
            lines.append(#"{"kind":"event","payload":{"kind":"testStarted","testID":"\#(id)","instant":{"absolute":\#(index)}}}"#)
            lines.append(#"{"kind":"event","payload":{"kind":"testEnded","testID":"\#(id)","instant":{"absolute":\#(index).5}}}"#)
        }
        if runEnded && endedCases == nil { lines.append(#"{"kind":"event","payload":{"kind":"runEnded","instant":{"absolute":99}}}"#) }
        return Data(lines.joined(separator: "\n").utf8)
    }

    func write(_ data: Data, to scratch: Scratch) throws -> URL {
        let url = scratch.run.appendingPathComponent("events.jsonl")
        try data.write(to: url)
        return url
    }

    @Test("a secret found on disk makes REPORT.md, REPORT.html, JUnit, the history row and the verdict red, even when not strict")
    func scanFailureIsRedEverywhere() async throws {
        let scratch = try Scratch()
        let events = try write(Self.events(count: 3), to: scratch)
        try Data("a log line that leaked \(Self.secret)\n".utf8).write(to: scratch.run.appendingPathComponent("leaky.log"))
        let outcome = RunOutcome.suite(events: events, filter: nil, testExitStatus: 0, stop: nil)
        let finished = try await scratch.finish(outcome, values: ["ANON_E2E_STRICT": "0"])
        #expect(finished.verdict.failed)
        #expect(finished.verdict.problems.contains { $0.kind == .secretScan && $0.message.contains("leaky.log") })
        #expect(try scratch.text("REPORT.md").contains("**Verdict: FAILED**"))
        #expect(try scratch.text("REPORT.html").contains(#"<div class="banner failed">FAILED"#))
        let junit = try String(contentsOf: scratch.junit, encoding: .utf8)
        #expect(junit.contains(#"classname="AnonE2E" name="run: the run&apos;s verdict""#) || junit.contains(#"classname="AnonE2E""#))
        #expect(junit.contains("secret scan"))
        #expect(try scratch.lastRun().green == false)
        #expect(try scratch.lastRun().problems.contains("secret scan"))
        for name in ["REPORT.md", "REPORT.html", "metrics.prom"] { #expect(try !scratch.text(name).contains(Self.secret), "\(name) holds the secret") }
        #expect(try scratch.text("metrics.prom").contains("e2e_anon_success{kind=\"suite\""))
        #expect(try scratch.text("metrics.prom").contains("} 0"))
    }

    @Test("an event stream cut after the 10th case fails the run, the rest 'did not run'; one without runEnded fails it too")
    func truncatedRun() async throws {
        let scratch = try Scratch()
        let cut = RunOutcome.suite(events: try write(Self.events(count: 15, endedCases: 10), to: scratch), filter: nil, testExitStatus: nil, stop: nil)
        let finished = try await scratch.finish(cut, values: ["ANON_E2E_STRICT": "0"])
        #expect(finished.verdict.failed)
        #expect(cut.log.passed == 10 && cut.log.failed == 5)
        #expect(cut.log.cases.filter { $0.verdict == .failed }.allSatisfy { $0.reason == TestEventLog.didNotRun })
        #expect(try scratch.text("REPORT.md").contains("did not run: the test process ended first"))
        #expect(try scratch.lastRun().green == false && scratch.lastRun().failed == 5)

        let unended = RunOutcome.suite(events: try write(Self.events(count: 3, runEnded: false), to: scratch), filter: nil, testExitStatus: 0, stop: nil)
        let verdict = try await scratch.finish(unended, values: ["ANON_E2E_STRICT": "0"]).verdict
        #expect(verdict.failed)
        #expect(verdict.problems.contains { $0.kind == .incomplete && $0.message.contains("runEnded") })

        let crashed = RunOutcome.suite(events: try write(Self.events(count: 3), to: scratch), filter: nil, testExitStatus: 139, stop: nil)
        #expect(try await scratch.finish(crashed).verdict.problems.contains { $0.message.contains("status 139") })
    }

    @Test("a filtered run is recorded with its filter, never as the whole suite")
    func filteredRun() async throws {
        let scratch = try Scratch()
        let outcome = RunOutcome.suite(events: try write(Self.events(count: 2), to: scratch), filter: "StagingXTests", testExitStatus: 0, stop: nil)
        let finished = try await scratch.finish(outcome)
        #expect(!finished.verdict.failed)
        #expect(try scratch.lastRun().filter == "StagingXTests")
        #expect(try scratch.text("REPORT.md").contains("A filtered run (`StagingXTests`)"))
        #expect(RunFinish.grouping(try scratch.lastRun()).contains { $0 == ("scope", "filtered") })
    }

    @Test("a run stopped by a malformed .env.local is in the history as failed before testing, and no case is invented")
    func stoppedBeforeTesting() async throws {
        let scratch = try Scratch()
        let stop = RunOutcome.Stop(stage: "configuration", reason: ".env.local line 2: expected KEY=value")
        let finished = try await scratch.finish(RunOutcome.suite(events: nil, filter: nil, testExitStatus: nil, stop: stop),
                                                values: ["ANON_E2E_STRICT": "0"], configurationError: ".env.local line 2: expected KEY=value")
        #expect(finished.verdict.failed)
        let run = try scratch.lastRun()
        #expect(!run.green && run.passed + run.failed + run.skipped == 0)
        #expect(run.problems.contains("stopped before testing, at the configuration stage"))
        #expect(try scratch.text("REPORT.md").contains("stopped before testing"))
        #expect(try String(contentsOf: scratch.junit, encoding: .utf8).contains("<failure"))
    }
}
