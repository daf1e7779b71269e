import Foundation
import Testing
import Contract
import Evidence
import Protocols
import RunHistory
@testable import RunReporting

@Suite("REPORT.html's case pages and the dashboard's case history")
struct CasePageTests {
    static let order = CaseID(suite: "StagingStreamTests", function: "order")

    static func runDirectory(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("case-page-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return directory
    }

    /// An exchange artifact as `Staging.record` writes it (`HTTPExchangeRecord`, pretty JSON).
    static let exchangeArtifact = """
    {"request": {"method": "POST", "url": "https://staging.example/api/v1/messages",
                 "headers": {"content-type": ["application/json"]}, "body": "{\\"content\\":\\"hello\\"}"},
     "response": {"status": 429, "headers": {"retry-after": ["1"]}, "body": "{\\"code\\":\\"rate_limit.qps\\"}",
                  "timingsMs": {"connect": 1.5, "total": 9}},
     "verdicts": [{"check": "status 429", "passed": true}, {"check": "Retry-After > 0", "passed": false, "detail": "no Retry-After"}]}
    """

    @Test("a failed case's page: its criterion and rules, what was expected and what came, each request with its headers, each stream drawn frame by frame")
    func failedCasePage() throws {
        let directory = try Self.runDirectory([
            "sse.log": "+12ms event=meta id=1 data={\"message_id\":\"m\"}\n+1000ms comment= ping\n+1500ms event=delta id=2 data={\"delta\":\"Hi\",\"seq\":1}\n" +
                "+1600ms event=final id=3 data={\"content\":\"Hi\"}\n",
            "limits.json": Self.exchangeArtifact,
        ])
        let cases = [
            TestEventLog.Case(caseID: Self.order, displayName: "deltas arrive in order", verdict: .failed,
                              reason: "the stream: expected seq 2 after 1; got 3", seconds: 1.5, tags: ["stream"]),
            TestEventLog.Case(caseID: CaseID(suite: "StagingAuthTests", function: "signIn"), displayName: "sign-in", verdict: .passed,
                              reason: nil, seconds: 0.2, tags: ["auth", "criticalNormal"]),
        ]
        let notes = [
            TraceNote(kind: .rules, caseID: Self.order, message: "S2.3"),
            TraceNote(kind: .exchange, caseID: Self.order, traceID: "t1", request: "POST /api/v1/messages", status: 200, artifacts: ["sse.log"]),
            TraceNote(kind: .measurement, caseID: Self.order, traceID: "t1", name: "first_byte_ms", value: 8),
            TraceNote(kind: .exchange, caseID: Self.order, traceID: "t2", request: "POST /api/v1/messages", status: 429, artifacts: ["limits.json"],
                      message: "rate_limit.qps"),
        ]
        let rules = RuleCoverage(rules: [ContractRule(id: "S2.3", level: .must, text: "deltas carry an increasing seq")], cases: [:])
        let html = RunReport(runID: "r1", target: "local", cases: cases, notes: notes, rules: rules).html(directory: directory)
        let page = try #require(html.range(of: #"<section class="case-page" data-view="case-StagingStreamTests-order" data-verdict="failed">"#))
        let section = html[page.lowerBound...].components(separatedBy: "</section>")[0]
        #expect(section.contains("deltas arrive in order") && section.contains("S2.3") && section.contains("deltas carry an increasing seq"))
        #expect(section.contains(#"class="banner failed""#), "the verdict is drawn red")
        #expect(section.contains("expected seq 2 after 1; got 3"))
        #expect(section.contains(#"data-timeline="sse.log" data-frames="4""#))
        #expect(section.components(separatedBy: "<rect data-point").count - 1 == 4, "one mark per frame")
        for mark in ["start", "ping", "text", "terminal"] { #expect(section.contains(#"data-mark="\#(mark)""#), "a \(mark) mark") }
        #expect(section.contains("first token +1500 ms") && section.contains("head") && section.contains("silence 988 ms"))
        #expect(section.contains("content-type: application/json") && section.contains("{&quot;content&quot;:&quot;hello&quot;}"),
                "the request's headers and body")
        #expect(section.contains("Retry-After &gt; 0") && section.contains("no Retry-After"), "the checks: what was expected and what came")
        #expect(section.contains("swift test --filter"))
        #expect(html.contains(#"data-status="failed" data-suite="StagingStreamTests" data-tags="stream""#), "the list row the filters read")
        #expect(html.contains(#"<option value="criticalNormal">"#) && html.contains(#"data-filter="text""#))
        #expect(html.contains(#"preferred = document.querySelector('.case-page[data-verdict="failed"]')"#), "it opens at the first failure")
    }

    @Test("a case's tags come from the event stream as code declares them, for the list's tag filter")
    func tagsFromEvents() throws {
        let lines = #"{"kind":"test","payload":{"_tags":[".stream",".criticalRefusal"],"id":"M.S/a()/F.swift:1:1","kind":"function","name":"a()","displayName":"a"}}"# + "\n" +
            #"{"kind":"event","payload":{"kind":"testStarted","testID":"M.S/a()/F.swift:1:1","instant":{"absolute":1}}}"# + "\n" +
            #"{"kind":"event","payload":{"kind":"testEnded","testID":"M.S/a()/F.swift:1:1","instant":{"absolute":2}}}"#
        #expect(try TestEventLog(jsonLines: Data(lines.utf8)).cases.first?.tags == ["stream", "criticalRefusal"])
    }

    @Test("a stream is drawn by its dialect's meaning: OpenAI chunks are text, [DONE] the end, an error chunk red")
    func dialectTimeline() {
        let transcript = """
        +5ms event=message id=- data={"choices":[{"delta":{"role":"assistant","content":""}}]}
        +700ms event=message id=- data={"choices":[{"delta":{"content":"Hel"}}]}
        +720ms event=message id=- data={"error":{"message":"upstream failed","type":"server_error"}}
        +721ms event=message id=- data=[DONE]
        """
        let timeline = StreamTimeline(file: "sse_failure.log", text: transcript, dialect: OpenAIChatDialect(), headMs: 3)
        #expect(timeline.frames.map(\.mark) == [.other, .text, .error, .terminal])
        #expect(timeline.firstTokenMs == 700)
        #expect(timeline.longestSilence.map { $0.to - $0.from } == 695)
        #expect(timeline.svg.contains(#"data-mark="error""#) && timeline.svg.contains(HTMLPage.failedColor))
    }

    @Test("the dashboard's page per case: its verdict in each run that ran it, its duration and its time to first token")
    func caseHistory() throws {
        let history = try RunHistoryTests.temporaryHistory()
        for (index, verdict) in ["passed", "failed", "passed"].enumerated() {
            try history.record(RunHistoryTests.recorded("r\(index)", at: Double(index) * 100, verdicts: ["StagingStream/order": verdict],
                                                        latencies: [Double(100 * (index + 1))], measured: ["ttft_ms"]))
        }
        let html = try Dashboard(history: history).html
        let start = try #require(html.range(of: #"<section class="case-history" data-view="history-StagingStream-order">"#))
        let section = html[start.lowerBound...].components(separatedBy: "</section>")[0]
        #expect(section.contains("3 of the 3 drawn runs ran it: 2 passed, 1 failed, 0 skipped"))
        #expect(section.components(separatedBy: #"data-verdict="failed" data-case="history StagingStream/order""#).count - 1 == 1)
        #expect(section.contains("Time to first token") && section.contains("<td>300</td>"), "the last run's ttft p50")
        #expect(html.contains(##"<a href="#history-StagingStream-order">"##), "the grid links each case to its page")
    }

    @Test("the trends are drawn again per run kind, target and dialect: OpenAI's chunks are not compared with the contract's frames")
    func trendsPerDialect() throws {
        let history = try RunHistoryTests.temporaryHistory()
        for (index, dialect) in ["native", "openai-chat", "openai-chat"].enumerated() {
            var run = RunHistoryTests.recorded("r\(index)", at: Double(index) * 100, verdicts: ["StagingStream/order": "passed"],
                                               latencies: [100], measured: ["ttft_ms"])
            run.run.dialect = dialect
            try history.record(run)
        }
        #expect(try history.lastRuns(3).map(\.dialect) == ["openai-chat", "openai-chat", "native"], "the dialect is kept")
        let html = try Dashboard(history: history).html
        #expect(html.contains("suite · local stack · native (1 runs)") && html.contains("suite · local stack · openai-chat (2 runs)"))
    }
}

@Suite("The gate's wall time against its critical path")
struct GateTimingTests {
    @Test("a serialized suite's chain is its cases added up, another's its longest case; the longest chain is the critical path")
    func criticalPath() throws {
        func event(_ kind: String, _ id: String, _ at: Double) -> String {
            #"{"kind":"event","payload":{"kind":"\#(kind)","testID":"\#(id)","instant":{"absolute":\#(at),"since1970":\#(at)}}}"#
        }
        var lines: [String] = []
        for (suite, function) in [("Serial", "a"), ("Serial", "b"), ("Parallel", "c"), ("Parallel", "d")] {
            lines.append(#"{"kind":"test","payload":{"id":"M.\#(suite)/\#(function)()/F.swift:1:1","kind":"function","name":"\#(function)()","displayName":"\#(function)"}}"#)
        }
        // Serial: a 0–4, b 4–7 (a chain of 7 s); Parallel: c 0–5 and d 0–2 side by side (5 s).
        // In the order the stream has them: by time.
        lines += [event("testStarted", "M.Serial/a()/F.swift:1:1", 0), event("testStarted", "M.Parallel/c()/F.swift:1:1", 0),
                  event("testStarted", "M.Parallel/d()/F.swift:1:1", 0), event("testEnded", "M.Parallel/d()/F.swift:1:1", 2),
                  event("testEnded", "M.Serial/a()/F.swift:1:1", 4), event("testStarted", "M.Serial/b()/F.swift:1:1", 4),
                  event("testEnded", "M.Parallel/c()/F.swift:1:1", 5), event("testEnded", "M.Serial/b()/F.swift:1:1", 7),
                  #"{"kind":"event","payload":{"kind":"runEnded","instant":{"absolute":9,"since1970":9}}}"#]
        let log = try TestEventLog(jsonLines: Data(lines.joined(separator: "\n").utf8))
        let notes = [TraceNote(kind: .signIn, message: TraceNote.anonymousSignIn), TraceNote(kind: .sent, traceID: "t1"),
                     TraceNote(kind: .sent, traceID: "t2"), TraceNote(kind: .measurement, traceID: "t1", name: "ttft_ms", value: 10),
                     // c waited 2 s of its 5 for its user: its own time is 3 s, Parallel's chain.
                     TraceNote(kind: .measurement, caseID: CaseID(suite: "Parallel", function: "c"), name: TraceNote.leaseWait, value: 2000)]
        let timing = GateTiming(log: log, notes: notes, serialized: ["Serial"])
        #expect(timing.criticalPath == 7 && timing.suites.first?.name == "Serial")
        #expect(timing.suites.first { $0.name == "Parallel" }?.chain == 3, "c's own 3 s, its wait for a user left out")
        #expect(timing.suites.first { $0.name == "Parallel" }?.waited == 2)
        #expect(timing.wall == 7, "the wall runs from the first case event to the last")
        #expect((timing.signIns, timing.messages, timing.streams) == (1, 2, 1))
        #expect(timing.markdown.contains("| Serial | yes | 2 | 7.0 s | 7.0 s | 0.0 s | 4.0 s | 7.0 s |"))
    }
}
