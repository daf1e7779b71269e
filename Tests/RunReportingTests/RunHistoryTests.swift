import Foundation
import Testing
@testable import RunHistory
import RunMetrics
@testable import RunReporting
@testable import Evidence
@testable import AnonE2ETesting

/// The run history (GRDB), what it answers, the metrics and pages drawn
/// from it: offline, on a temporary SQLite file.
@Suite("Run history, dashboard and metrics")
struct RunHistoryTests {
    /// - Parameter measured: the measurements each latency is recorded as.
    static func recorded(_ runID: String, at seconds: Double, verdicts: [String: String], latencies: [Double] = [], green: Bool? = nil,
                         refusals: [(Int, String)] = [], measured: [String] = ["first_delta_ms"]) -> RecordedRun {
        let started = Date(timeIntervalSince1970: 1_790_000_000 + seconds)
        let failed = verdicts.values.filter { $0 == "failed" }.count
        let run = HistoryRun(runID: runID, kind: .suite, started: started, finished: started.addingTimeInterval(60), targetKind: "local stack",
                             targetHost: "127.0.0.1:8080", gitCommit: "abc", strict: true,
                             passed: verdicts.values.filter { $0 == "passed" }.count, failed: failed,
                             skipped: verdicts.values.filter { $0 == "skipped" }.count, green: green ?? (failed == 0), seconds: 60,
                             report: "\(runID)/REPORT.html")
        return RecordedRun(
            run: run,
            cases: verdicts.sorted { $0.key < $1.key }.map {
                HistoryCase(caseID: $0.key, suite: "StagingStream", verdict: $0.value, reason: $0.value == "failed" ? "expected <final>; got none" : "",
                            seconds: 1, traceIDs: "t-\(runID)", rules: "S2.1")
            },
            measurements: latencies.flatMap { value in
                measured.map { HistoryMeasurement(caseID: "StagingStream/order", traceID: "t", name: $0, value: value) }
            },
            refusals: refusals.map { HistoryRefusal(caseID: "StagingPolicy/admin", status: $0.0, code: $0.1) })
    }

    static func temporaryHistory() throws -> HistoryDatabase {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString).sqlite").path
        return try HistoryDatabase(path: path)
    }

    @Test("runs are kept newest first; recording a run id again replaces it; a reopened file keeps them")
    func keepsRuns() throws {
        let history = try Self.temporaryHistory()
        try history.record(Self.recorded("r1", at: 0, verdicts: ["StagingStream/order": "passed"]))
        try history.record(Self.recorded("r2", at: 100, verdicts: ["StagingStream/order": "failed"]))
        try history.record(Self.recorded("r2", at: 100, verdicts: ["StagingStream/order": "passed"]))
        let runs = try history.lastRuns(10)
        #expect(runs.map(\.runID) == ["r2", "r1"])
        #expect(try history.cases(ofRuns: runs).count == 2, "the replaced run's cases went with it")
        let reopened = try HistoryDatabase(path: history.path)
        #expect(try reopened.lastRuns(10).count == 2)
        #expect(try reopened.history(ofCase: "StagingStream/order").map(\.case.verdict) == ["passed", "passed"])
    }

    @Test("a case whose verdict changed in the window is flaky; a steady one is not")
    func flaky() throws {
        let history = try Self.temporaryHistory()
        for (index, verdict) in ["passed", "failed", "passed", "passed"].enumerated() {
            try history.record(Self.recorded("r\(index)", at: Double(index) * 100,
                                             verdicts: ["StagingStream/order": verdict, "StagingAuth/claims": "passed"]))
        }
        let flaky = try history.flaky(lastRuns: 10)
        #expect(flaky == [HistoryDatabase.Flaky(caseID: "StagingStream/order", changes: 2, verdicts: "pFpp")])
        #expect(try history.flaky(lastRuns: 2).isEmpty, "the last two runs agree")
    }

    @Test("p50 and p95 are nearest-rank percentiles over the period's measurements")
    func percentiles() throws {
        let history = try Self.temporaryHistory()
        try history.record(Self.recorded("r1", at: 0, verdicts: [:], latencies: (1...50).map(Double.init)))
        try history.record(Self.recorded("r2", at: 100, verdicts: [:], latencies: (51...100).map(Double.init)))
        let all = try history.percentiles(since: .distantPast)
        #expect(all == [HistoryDatabase.Percentiles(name: "first_delta_ms", count: 100, p50: 50, p95: 95)])
        let recent = try history.percentiles(since: Date(timeIntervalSince1970: 1_790_000_050))
        #expect(recent.first?.p50 == 75)
        #expect(try history.trend("first_delta_ms").map(\.p95) == [48, 98])
    }

    @Test("the dashboard plots one point per run, draws a failed case red in the grid and the failures, and escapes what it shows")
    func dashboard() throws {
        let history = try Self.temporaryHistory()
        try history.record(Self.recorded("r1", at: 0, verdicts: ["StagingStream/order": "passed"], latencies: [10]))
        var broken = Self.recorded("r2", at: 100, verdicts: ["StagingStream/order": "failed", "Staging<script>/x": "passed"], latencies: [20])
        broken.cases[0].reason = "expected <script>alert(1)</script>"
        try history.record(broken)
        let html = try Dashboard(history: history).html
        #expect(html.components(separatedBy: "data-run=").count - 1 == 2)
        #expect(html.contains(#"data-verdict="failed" data-case="StagingStream/order""#))
        #expect(html.contains("href=\"r2/REPORT.html\""))
        #expect(!html.contains("<script>alert"), "a reason is text, never markup")
        #expect(!html.contains("Staging<script>"))
        #expect(!html.contains("src=\"http"), "nothing is fetched from elsewhere")
    }

    @Test("metrics.prom: the run's success, each case's, the latency histograms and the refusals by code, in the text format")
    func metrics() throws {
        let failed = Self.recorded("r1", at: 0, verdicts: ["StagingStream/order": "failed", "StagingAuth/claims": "passed", "StagingX/gated": "skipped"],
                                   latencies: [150, 2600], refusals: [(401, "auth.missing_token"), (401, "auth.missing_token"), (403, "policy.forbidden")],
                                   measured: ["first_delta_ms", "ttft_ms", "chunk_gap_max_ms"])
        let text = RunMetrics(failed).text
        #expect(text.contains(#"e2e_anon_success{kind="suite",target="local stack"} 0"#))
        #expect(text.contains(#"e2e_anon_case_success{kind="suite",target="local stack",case="StagingStream/order"} 0"#))
        #expect(text.contains(#"e2e_anon_case_success{kind="suite",target="local stack",case="StagingAuth/claims"} 1"#))
        #expect(!text.contains("StagingX/gated"), "a skipped case is no success and no failure")
        #expect(text.contains(#"e2e_anon_latency_seconds_bucket{kind="suite",target="local stack",phase="first_delta",le="0.25"} 1"#))
        #expect(text.contains(#"e2e_anon_latency_seconds_count{kind="suite",target="local stack",phase="first_delta"} 2"#))
        #expect(text.contains(#"e2e_anon_refusals_total{kind="suite",target="local stack",status="401",code="auth.missing_token"} 2"#))
        #expect(text.contains("# TYPE e2e_anon_latency_seconds histogram"))
        #expect(text.contains(#"e2e_anon_latency_seconds_count{kind="suite",target="local stack",phase="ttft"} 2"#))
        #expect(text.contains(#"e2e_anon_chunk_gap_seconds_bucket{kind="suite",target="local stack",stat="max",le="0.25"} 1"#))
    }

    @Test("e2e_anon_consecutive_failures: the history's streak of failed full runs of a kind, this run included; a green run ends it")
    func consecutiveFailures() throws {
        let history = try Self.temporaryHistory()
        try history.record(Self.recorded("r1", at: 0, verdicts: ["StagingStream/order": "failed"]))
        try history.record(Self.recorded("r2", at: 100, verdicts: ["StagingStream/order": "passed"]))
        try history.record(Self.recorded("r3", at: 200, verdicts: ["StagingStream/order": "failed"]))
        let before = try history.consecutiveFailures(kind: .suite, targetKind: "local stack")
        #expect(before == 1)
        let failed = Self.recorded("r4", at: 300, verdicts: ["StagingStream/order": "failed"])
        #expect(RunMetrics(failed, failedBefore: before).text.contains(#"e2e_anon_consecutive_failures{kind="suite",target="local stack"} 2"#))
        let green = Self.recorded("r5", at: 400, verdicts: ["StagingStream/order": "passed"])
        #expect(RunMetrics(green, failedBefore: 2).text.contains(#"e2e_anon_consecutive_failures{kind="suite",target="local stack"} 0"#))
        #expect(try history.consecutiveFailures(kind: .daily, targetKind: "local stack") == 0)
    }

    @Test("REPORT.html: verdict colours, each SSE transcript as a timeline of arrivals, escaped text, nothing from elsewhere")
    func reportPage() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "+12ms event=meta id=1 data={}\n+1000ms comment= ping\n+1500ms event=delta id=2 data={}\n+1600ms event=final id=3 data={}\n"
            .write(to: directory.appendingPathComponent("sse.log"), atomically: true, encoding: .utf8)
        let cases = [
            TestEventLog.Case(caseID: CaseID(suite: "StagingStream", function: "order"), displayName: "order <kept>", verdict: .failed,
                              reason: "expected <final>", seconds: 1),
            TestEventLog.Case(caseID: CaseID(suite: "StagingStream", function: "heartbeat"), displayName: "heartbeat", verdict: .skipped,
                              reason: "no silence long enough", seconds: 0),
        ]
        let notes = [TraceNote(kind: .measurement, caseID: CaseID(suite: "StagingStream", function: "order"), traceID: "t1", name: "ttft_ms", value: 1500),
                     TraceNote(kind: .exchange, caseID: CaseID(suite: "StagingStream", function: "order"), traceID: "t1", request: "POST /api/v1/messages",
                               status: 200, artifacts: ["sse.log"])]
        let html = RunReport(runID: "r1", target: "local", cases: cases, notes: notes).html(directory: directory)
        #expect(html.contains(#"data-verdict="failed" data-case="StagingStream/order""#))
        #expect(html.contains("no silence long enough"), "a skip shows its reason")
        #expect(html.components(separatedBy: "<rect data-point").count - 1 == 4, "four arrivals on the case's timeline")
        #expect(html.contains("order &lt;kept&gt;") && html.contains("expected &lt;final&gt;"))
        #expect(html.contains("<td>1500</td>"), "the phase table shows the measurement")
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))
    }
}
