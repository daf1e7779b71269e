import Evidence
import Foundation

/// The report of a load run: Markdown and HTML (SVG plots of latency and
/// resources over time, the faults marked), JSON for machines, and the
/// plain closing line.
public struct LoadReport: Sendable {
    public let outcome: LoadRun.Outcome
    var series: [LoadRun.SeriesPoint] { outcome.series }

    public init(outcome: LoadRun.Outcome) {
        self.outcome = outcome
    }

    /// Closures that held, and those that did not; in a burst a 429 over the limit is what the contract asks, so it held.
    public var closingLine: String {
        let expected = outcome.mode == "burst" ? outcome.summary.outcomes.filter { $0.key.hasPrefix("429 rate_limit") }.map(\.value).reduce(0, +) : 0
        let held = outcome.summary.successes + expected
        return "\(held) passed, \(outcome.summary.total - held) failed"
    }

    public var markdown: String {
        let s = outcome.summary
        var text = "# AnonE2E load: \(outcome.mode), \(String(format: "%.0f", outcome.seconds)) s\n\n"
        text += "**\(outcome.passed ? "passed" : "FAILED")**: \(closingLine). " +
            String(format: "Success rate %.2f%%; %d identities; rows checked for %d messages.\n\n", s.successRate * 100, outcome.identities, outcome.checkedRows)
        for problem in outcome.problems { text += "- \(problem)\n" }
        text += "\n## Latency of successful closures (ms)\n\n| phase | p50 | p95 | p99 |\n|---|---|---|---|\n"
        for phase in LatencyRecorder.phases { if let p = s.percentiles[phase] { text += "| \(phase) | \(f(p[0])) | \(f(p[1])) | \(f(p[2])) |\n" } }
        text += "\n## Outcomes\n\n| outcome | closures | example |\n|---|---|---|\n"
        for (kind, count) in s.outcomes.sorted(by: { $0.value > $1.value }) {
            text += "| \(kind) | \(count) | \(Markdown.cell(s.examples[kind] ?? "")) |\n"
        }
        if !outcome.faults.isEmpty {
            text += "\n## Faults and recovery\n\n| fault | from (s) | to (s) | RTO (s): from its start to the first admitted request after its outage |\n|---|---|---|---|\n"
            for fault in outcome.faults { text += "| \(fault.name) | \(f(fault.startedAt)) | \(f(fault.endedAt)) | \(fault.rtoSeconds.map(f) ?? "**not recovered**") |\n" }
        }
        text += "\nLost messages: \(outcome.lost.count); doubled: \(outcome.doubled.count).\n"
        if !outcome.trends.isEmpty {
            text += "\n## Resource trends (slope per process lifetime, over its last third)\n\n| series | mean | slope a minute | floor a minute | verdict |\n|---|---|---|---|---|\n"
            for trend in outcome.trends {
                text += "| \(trend.name) | \(f(trend.mean)) | \(String(format: "%+.3f", trend.slopePerMinute)) | \(f(trend.floorPerMinute)) | \(!trend.fitted ? "not judged: too short to fit" : trend.growsWithoutBound ? "**grows**" : "bounded") |\n"
            }
        }
        return text + "\n" + closingLine + "\n"
    }

    public var html: String {
        typealias H = HTMLPage
        var body = "<h1>AnonE2E load: \(H.escape(outcome.mode))</h1>\n"
        body += "<div class=\"banner \(outcome.passed ? "passed" : "failed")\">\(outcome.passed ? "passed" : "FAILED"): \(H.escape(closingLine))</div>\n"
        if !outcome.problems.isEmpty { body += "<ul>" + outcome.problems.map { "<li>\(H.escape($0))</li>" }.joined() + "</ul>" }
        let marks = outcome.faults.map { "\($0.name) \(f($0.startedAt))–\(f($0.endedAt)) s" }.joined(separator: "; ")
        if !marks.isEmpty { body += "<p class=\"muted\">Faults: \(H.escape(marks))</p>" }
        body += Self.chart("Closures a second", unit: "", width: 900, faults: outcome.faults, series: [
            H.Series(name: "ok", color: H.passedColor, points: series.map { (Double($0.second), Double($0.ok), "\($0.second) s") }),
            H.Series(name: "failed", color: H.failedColor, points: series.map { (Double($0.second), Double($0.failed), "\($0.second) s") }),
        ])
        body += Self.chart("Mean time to final (ms)", unit: "", width: 900, faults: outcome.faults, series: [
            H.Series(name: "final", color: "#0969da", points: series.filter { $0.ok > 0 }.map { (Double($0.second), $0.meanFinal, "\($0.second) s") }),
        ])
        let samples = outcome.samples
        body += Self.chart("Resident memory (MiB)", unit: "", width: 900, faults: outcome.faults, series: [
            H.Series(name: "runner", color: "#0969da", points: samples.map { ($0.second, $0.runnerRSSMiB, "") }),
            H.Series(name: "backend", color: "#bc4c00", points: samples.compactMap { s in s.backendRSSMiB.map { (s.second, $0, "") } }),
        ])
        body += Self.chart("Open file descriptors and database connections", unit: "", width: 900, faults: outcome.faults, series: [
            H.Series(name: "runner fds", color: "#0969da", points: samples.map { ($0.second, Double($0.runnerFDs), "") }),
            H.Series(name: "backend fds", color: "#bc4c00", points: samples.compactMap { s in s.backendFDs.map { (s.second, Double($0), "") } }),
            H.Series(name: "db conns", color: "#8250df", points: samples.compactMap { s in s.databaseConnections.map { (s.second, Double($0), "") } }),
        ])
        body += "<pre>\(H.escape(markdown))</pre>"
        return H.page(title: "AnonE2E load \(outcome.mode)", body: body)
    }

    /// A line chart with the faults' spans shaded.
    static func chart(_ title: String, unit: String, width: Int, faults: [LoadRun.FaultRecord], series: [HTMLPage.Series]) -> String {
        var svg = HTMLPage.lineChart(title: title, unit: unit, series: series, width: width)
        let xs = series.flatMap(\.points).map(\.x)
        guard let minX = xs.min(), let maxX = xs.max(), maxX > minX, !faults.isEmpty else { return svg }
        let left = 56.0, plot = Double(width) - 56 - 12
        var shades = ""
        for fault in faults {
            let x1 = left + (fault.startedAt - minX) / (maxX - minX) * plot, x2 = left + (max(fault.endedAt, fault.startedAt + 0.5) - minX) / (maxX - minX) * plot
            shades += "<rect x=\"\(HTMLPage.f(x1))\" y=\"24\" width=\"\(HTMLPage.f(max(2, x2 - x1)))\" height=\"172\" fill=\"#cf222e\" opacity=\"0.12\"><title>\(HTMLPage.escape(fault.name))</title></rect>"
        }
        if let end = svg.range(of: "</svg>", options: .backwards) { svg.insert(contentsOf: shades, at: end.lowerBound) }
        return svg
    }

    func f(_ value: Double) -> String { HTMLPage.short(value) }
}
