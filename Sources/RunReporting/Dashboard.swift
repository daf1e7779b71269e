import Foundation
import Evidence
import RunHistory

/// `dashboard.html`: the history drawn. Pass rate per day, run duration,
/// time to first token, full reply and the longest chunk gap (p50/p95 per run), the flaky cases,
/// the last failures linked to their run's report, the runs × cases grid, and a page per case
/// with its history (`#history-Suite-function`: verdicts, durations, time to first token).
public struct Dashboard: Sendable {
    public let runs: [HistoryRun]
    public let cases: [HistoryCase]
    public let flaky: [HistoryDatabase.Flaky]
    public let firstToken: [(run: HistoryRun, p50: Double, p95: Double)]
    public let fullReply: [(run: HistoryRun, p50: Double, p95: Double)]
    /// The streams' longest gaps between chunks of text (per run: p50 and p95 over its streams).
    public let chunkGaps: [(run: HistoryRun, p50: Double, p95: Double)]
    /// Each case's time to first token in the drawn runs, for its history page.
    public let caseFirstTokens: [HistoryMeasurement]

    /// - Parameter limit: how many of the last runs to draw.
    public init(history: HistoryDatabase, limit: Int = 60) throws {
        runs = Array(try history.lastRuns(limit).reversed())
        cases = try history.cases(ofRuns: runs)
        flaky = try history.flaky(lastRuns: min(limit, 20))
        firstToken = try history.trend("ttft_ms", lastRuns: limit)
        fullReply = try history.trend("final_ms", lastRuns: limit)
        chunkGaps = try history.trend("chunk_gap_max_ms", lastRuns: limit)
        caseFirstTokens = try history.measurements("ttft_ms", ofRuns: runs)
    }

    public var html: String {
        typealias H = HTMLPage
        let calendar = Self.utcCalendar
        var body = "<h1>AnonE2E dashboard</h1>\n<p class=\"muted\">\(runs.count) runs"
        if let first = runs.first, let last = runs.last { body += " from \(Self.stamp(first.started)) to \(Self.stamp(last.started)) UTC" }
        body += "</p>\n<section data-view=\"overview\">\n"
        guard !runs.isEmpty else { return H.page(title: "AnonE2E dashboard", body: body + "<p>No run recorded yet.</p></section>") }

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

        body += trends(position: position)

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
            grid += "<tr><th><a href=\"#\(Self.anchor(id))\">\(H.escape(id))</a></th>"
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
        body += grid + "</table>\n</section>\n"
        let ttft = Dictionary(grouping: caseFirstTokens, by: \.caseID)
        for id in caseIDs {
            body += Self.caseHistory(id, runs: runs, byRun: byRun, firstTokens: ttft[id] ?? [])
        }
        return H.page(title: "AnonE2E dashboard", body: body, script: H.views(fallback: "overview"))
    }

    /// The duration and first-token trends again for each run kind, target and dialect apart: a nightly
    /// suite against staging is not compared with a PR run against the local stack, nor OpenAI's chunks
    /// with the contract's frames.
    func trends(position: [String: Double]) -> String {
        typealias H = HTMLPage
        let groups = Dictionary(grouping: runs) { "\($0.kind.rawValue) · \($0.targetKind) · \($0.dialect)" }
        guard groups.count > 1 else { return "" }
        var html = "<h2>Trends by run kind, target and dialect</h2>\n<div class=\"trends\">"
        for key in groups.keys.sorted() {
            let group = groups[key]!
            let ids = Set(group.map(\.runID))
            let ttft = firstToken.filter { ids.contains($0.run.runID) }
            html += "<div><h3>\(H.escape(key)) (\(group.count) runs)</h3>"
            html += H.lineChart(title: "Run duration", unit: " s", series: [
                .init(name: "duration", color: "#0969da", points: group.map { (position[$0.runID] ?? 0, $0.seconds, $0.runID) }),
            ], width: 460, height: 180)
            if !ttft.isEmpty {
                html += H.lineChart(title: "Time to first token, ms", unit: "", series: [
                    .init(name: "p50", color: "#0969da", points: ttft.map { (position[$0.run.runID] ?? 0, $0.p50, $0.run.runID) }),
                    .init(name: "p95", color: "#bc4c00", points: ttft.map { (position[$0.run.runID] ?? 0, $0.p95, $0.run.runID) }),
                ], width: 460, height: 180)
            }
            html += "</div>"
        }
        return html + "</div>\n"
    }

    /// A case's history page in the URL: `dashboard.html#history-Suite-function`.
    static func anchor(_ caseID: String) -> String {
        HTMLPage.anchor("history-", caseID)
    }

    /// One case across the drawn runs, Allure's history tab: its verdict in each run that ran it,
    /// its duration, its streams' time to first token (p50 per run), and what failed.
    static func caseHistory(_ id: String, runs: [HistoryRun], byRun: [Int64: [HistoryCase]], firstTokens: [HistoryMeasurement]) -> String {
        typealias H = HTMLPage
        let ran = runs.enumerated().compactMap { index, run in
            byRun[run.id ?? -1]?.first { $0.caseID == id }.map { (index: Double(index), run: run, item: $0) }
        }
        let ttft = Dictionary(grouping: firstTokens, by: \.run).mapValues { HistoryDatabase.percentile($0.map(\.value).sorted(), 0.5) }
        var html = "<section class=\"case-history\" data-view=\"\(anchor(id))\">\n<p><a href=\"#overview\">← the dashboard</a></p>\n"
        html += "<h2>\(H.escape(id))</h2>\n<p class=\"muted\">\(ran.count) of the \(runs.count) drawn runs ran it: " +
            "\(ran.filter { $0.item.verdict == "passed" }.count) passed, \(ran.filter { $0.item.verdict == "failed" }.count) failed, " +
            "\(ran.filter { $0.item.verdict == "skipped" }.count) skipped. Oldest first.</p>\n"
        html += "<table class=\"grid\"><tr>" + ran.map { entry in
            "<td class=\"\(H.escape(entry.item.verdict))\" data-verdict=\"\(H.escape(entry.item.verdict))\" data-case=\"history \(H.escape(id))\" " +
                "title=\"\(H.escape(entry.run.runID)): \(H.escape(entry.item.verdict))\"></td>"
        }.joined() + "</tr></table>\n"
        html += H.lineChart(title: "Duration", unit: " s", series: [
            .init(name: "duration", color: "#0969da", points: ran.map { ($0.index, $0.item.seconds, $0.run.runID) }),
        ])
        let measured = ran.compactMap { entry in ttft[entry.run.id ?? -1].map { (entry.index, $0, entry.run.runID) } }
        if !measured.isEmpty {
            html += H.lineChart(title: "Time to first token (p50 of its streams), ms", unit: "", series: [
                .init(name: "ttft p50", color: "#bc4c00", points: measured),
            ])
        }
        html += H.table(["run", "kind", "started (UTC)", "verdict", "duration", "ttft p50", "what failed or why skipped"], ran.reversed().map { entry in
            ["<a href=\"\(H.escape(entry.run.report))\">\(H.escape(entry.run.runID))</a>", entry.run.kind.rawValue, stamp(entry.run.started),
             H.escape(entry.item.verdict), String(format: "%.2f s", entry.item.seconds), ttft[entry.run.id ?? -1].map(H.short) ?? "",
             H.escape(String(entry.item.reason.prefix(300)))]
        })
        return html + "</section>\n"
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
            ["<a href=\"#\(anchor(entry.item.caseID))\">\(H.escape(entry.item.caseID))</a>",
             H.verdictCell(entry.item.verdict, caseID: entry.item.caseID, text: entry.item.verdict),
             entry.transition.change.rawValue, entry.transition.flaky ? "flaky" : "", entry.category?.rawValue ?? "",
             H.escape(String(entry.item.reason.prefix(300)))]
        }, rowAttributes: shown.map { ["data-transition": $0.transition.change.rawValue, "data-category": $0.category?.rawValue ?? ""] })
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
