import Foundation
import Evidence
import RunHistory

/// `dashboard.html`: the history drawn. Pass rate per day, run duration,
/// time to first token, full reply and the longest chunk gap (p50/p95 per run), the flaky cases,
/// the last failures linked to their run's report, and the runs × cases grid.
public struct Dashboard: Sendable {
    public let runs: [HistoryRun]
    public let cases: [HistoryCase]
    public let flaky: [HistoryDatabase.Flaky]
    public let firstToken: [(run: HistoryRun, p50: Double, p95: Double)]
    public let fullReply: [(run: HistoryRun, p50: Double, p95: Double)]
    /// The streams' longest gaps between chunks of text (per run: p50 and p95 over its streams).
    public let chunkGaps: [(run: HistoryRun, p50: Double, p95: Double)]

    /// - Parameter limit: how many of the last runs to draw.
    public init(history: HistoryDatabase, limit: Int = 60) throws {
        runs = Array(try history.lastRuns(limit).reversed())
        cases = try history.cases(ofRuns: runs)
        flaky = try history.flaky(lastRuns: min(limit, 20))
        firstToken = try history.trend("ttft_ms", lastRuns: limit)
        fullReply = try history.trend("final_ms", lastRuns: limit)
        chunkGaps = try history.trend("chunk_gap_max_ms", lastRuns: limit)
    }

    public var html: String {
        typealias H = HTMLPage
        let calendar = Self.utcCalendar
        var body = "<h1>AnonE2E dashboard</h1>\n<p class=\"muted\">\(runs.count) runs"
        if let first = runs.first, let last = runs.last { body += " from \(Self.stamp(first.started)) to \(Self.stamp(last.started)) UTC" }
        body += "</p>\n"
        guard !runs.isEmpty else { return H.page(title: "AnonE2E dashboard", body: body + "<p>No run recorded yet.</p>") }

        let days = Dictionary(grouping: runs) { calendar.startOfDay(for: $0.started) }
        let rate = days.keys.sorted().map { day in
            let dayRuns = days[day]!
            return (x: day.timeIntervalSince1970, y: 100 * Double(dayRuns.filter(\.green).count) / Double(dayRuns.count),
                    label: "\(Self.day(day)): \(dayRuns.filter(\.green).count)/\(dayRuns.count) green")
        }
        body += H.lineChart(title: "Pass rate per day", unit: "%", series: [.init(name: "green runs", color: H.passedColor, points: rate)], ceiling: 100)
        let indexed = runs.enumerated().map { (index: Double($0.offset), run: $0.element) }
        body += H.lineChart(title: "Run duration", unit: " s", series: [
            .init(name: "duration", color: "#0969da", points: indexed.map { ($0.index, $0.run.seconds, $0.run.runID) }),
        ], runAttribute: true)
        let position = Dictionary(uniqueKeysWithValues: runs.enumerated().map { ($0.element.runID, Double($0.offset)) })
        for (title, trend) in [("Time to first token (first non-empty text), ms", firstToken), ("Full reply (terminal event), ms", fullReply),
                               ("Longest gap between chunks of text, ms", chunkGaps)] {
            body += H.lineChart(title: title, unit: "", series: [
                .init(name: "p50", color: "#0969da", points: trend.map { (position[$0.run.runID] ?? 0, $0.p50, $0.run.runID) }),
                .init(name: "p95", color: "#bc4c00", points: trend.map { (position[$0.run.runID] ?? 0, $0.p95, $0.run.runID) }),
            ])
        }

        body += "<h2>Flaky cases (verdict changed in the last runs)</h2>\n"
        body += flaky.isEmpty ? "<p>None.</p>\n" : H.table(["case", "changes", "verdicts, oldest first"], flaky.map {
            [H.escape($0.caseID), String($0.changes), "<code>\(H.escape($0.verdicts))</code>"]
        })

        let byRun = Dictionary(grouping: cases, by: \.run)
        body += Self.lastRunSection(runs: runs, byRun: byRun)
        let failures = runs.reversed().flatMap { run in (byRun[run.id ?? -1] ?? []).filter { $0.verdict == "failed" }.map { (run, $0) } }.prefix(20)
        body += "<h2>Last failures</h2>\n"
        body += failures.isEmpty ? "<p>None.</p>\n" : H.table(["run", "case", "what failed"], failures.map { run, item in
            ["<a href=\"\(H.escape(run.report))\">\(H.escape(run.runID))</a>", H.verdictCell("failed", caseID: item.caseID, text: item.caseID),
             H.escape(String(item.reason.prefix(300)))]
        })

        body += "<h2>Runs</h2>\n<p class=\"muted\">The quality gate of each run: its verdict, the success rate of the cases that ran, " +
            "the cases that ran against those it had, and how long it took.</p>\n"
        body += H.table(["run", "kind", "started (UTC)", "target", "commit", "verdict", "success rate", "cases run / expected",
                         "passed", "failed", "skipped", "duration"], runs.reversed().map { run in
            ["<a href=\"\(H.escape(run.report))\">\(H.escape(run.runID))</a>", run.kind.rawValue, Self.stamp(run.started),
             H.escape("\(run.targetKind) \(run.targetHost)"), "<code>\(H.escape(String(run.gitCommit.prefix(10))))</code>",
             H.verdictCell(run.green ? "passed" : "failed", caseID: "run \(run.runID)", text: run.green ? "green" : "red"),
             run.passed + run.failed == 0 ? "" : String(format: "%.0f %%", 100 * Double(run.passed) / Double(run.passed + run.failed)),
             "\(run.passed + run.failed) / \(run.passed + run.failed + run.skipped)",
             String(run.passed), String(run.failed), String(run.skipped), String(format: "%.0f s", run.seconds)]
        })

        let caseIDs = Set(cases.map(\.caseID)).sorted()
        body += "<h2>Cases × runs</h2>\n<p class=\"muted\">Oldest run on the left; green passed, red failed, amber skipped, blank not run.</p>\n"
        var grid = "<table class=\"grid\"><tr><th>case</th>" + runs.map { "<th title=\"\(H.escape($0.runID))\"></th>" }.joined() + "</tr>\n"
        for id in caseIDs {
            grid += "<tr><th>\(H.escape(id))</th>"
            for run in runs {
                if let item = byRun[run.id ?? -1]?.first(where: { $0.caseID == id }) {
                    grid += "<td class=\"\(H.escape(item.verdict))\" data-verdict=\"\(H.escape(item.verdict))\" data-case=\"\(H.escape(id))\" " +
                        "title=\"\(H.escape(run.runID)): \(H.escape(item.verdict))\"></td>"
                } else {
                    grid += "<td></td>"
                }
            }
            grid += "</tr>\n"
        }
        body += grid + "</table>\n"
        return H.page(title: "AnonE2E dashboard", body: body)
    }

    /// The newest run case by case against the earlier runs of its kind and target: Allure's transitions
    /// (new failure, regressed, fixed, still failing), its flaky rule, and each failure's category.
    static func lastRunSection(runs: [HistoryRun], byRun: [Int64: [HistoryCase]]) -> String {
        typealias H = HTMLPage
        guard let last = runs.last else { return "" }
        let earlier = runs.dropLast().filter { $0.kind == last.kind && $0.targetKind == last.targetKind }.reversed()
        let judged = (byRun[last.id ?? -1] ?? []).sorted { $0.caseID < $1.caseID }.map { item in
            let before = earlier.compactMap { run in byRun[run.id ?? -1]?.first { $0.caseID == item.caseID }?.verdict }
            return (item: item, transition: CaseTransition(verdict: item.verdict, earlier: before),
                    category: item.verdict == "failed" ? FailureCategory(reason: item.reason) : nil)
        }
        let changes = Dictionary(grouping: judged, by: \.transition.change).mapValues(\.count)
        let categories = Dictionary(grouping: judged.compactMap(\.category), by: { $0 }).mapValues(\.count)
        let changed: [CaseTransition.Change] = [.newFailure, .regressed, .fixed, .stillFailing]
        let changeText = changed.map { "\(changes[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        let categoryText = FailureCategory.allCases.map { "\(categories[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        let flaky = judged.filter(\.transition.flaky).count
        var html = "<h2>The last run, against the runs before it</h2>\n"
        html += "<p class=\"muted\">\(H.escape(last.runID)) (\(last.kind.rawValue), \(H.escape(last.targetKind))) against "
        html += "\(earlier.count) earlier run(s) of its kind and target: \(changeText); "
        html += "\(flaky) flaky (failed now; a pass came before a failure in its last five runs); \(categoryText).</p>\n"
        let shown = judged.filter { $0.transition.change != .stillPassing && $0.transition.change != .new }
        guard !shown.isEmpty else { return html + "<p>Every case that ran passed, as before.</p>\n" }
        html += H.table(["case", "verdict", "transition", "flaky", "category", "what failed"], shown.map { entry in
            [H.escape(entry.item.caseID), H.verdictCell(entry.item.verdict, caseID: entry.item.caseID, text: entry.item.verdict),
             entry.transition.change.rawValue, entry.transition.flaky ? "flaky" : "", entry.category?.rawValue ?? "",
             H.escape(String(entry.item.reason.prefix(300)))]
        })
        return html
    }

    static var utcCalendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    static func day(_ date: Date) -> String { String(stamp(date).prefix(10)) }
}
