import Foundation
import RunHistory
import RunMetrics
import Contract
import Evidence
import RunReporting

/// What happens to every finished run, suite or daily: it joins the history,
/// its `metrics.prom` is written (and pushed when a Pushgateway is
/// configured), and the dashboard is drawn again beside the history.
struct RunRecording {
    let configuration: Configuration
    var historyPath: String { configuration[.historyPath] ?? "artifacts/history.sqlite" }

    /// Returns the lines to print; throws when the history or the push failed.
    func finish(_ recorded: RecordedRun, directory: URL) async throws -> [String] {
        var lines: [String] = []
        let history = try HistoryDatabase(path: historyPath)
        try history.record(recorded)
        lines.append("history: \(historyPath) (\(try history.lastRuns(1_000_000).count) runs)")

        let metrics = RunMetrics(recorded)
        let metricsURL = directory.appendingPathComponent("metrics.prom")
        try Data(metrics.text.utf8).write(to: metricsURL)
        lines.append("metrics: \(metricsURL.path)")
        if let gateway = configuration[.pushgatewayURL], !gateway.isEmpty {
            try await Pushgateway(baseURL: gateway).push(metrics, instance: recorded.run.targetHost)
            lines.append("metrics pushed to \(gateway)")
        }

        let dashboardURL = Self.dashboardURL(history: historyPath)
        try Data(Redactor.shared.redact(try Dashboard(history: history).html).utf8).write(to: dashboardURL)
        lines.append("dashboard: \(dashboardURL.path)")
        return lines
    }

    /// The dashboard beside its history (where the runs' report links resolve):
    /// history.sqlite → dashboard.html, history-NAME.sqlite → dashboard-NAME.html.
    static func dashboardURL(history: String) -> URL {
        let url = URL(fileURLWithPath: history)
        let stem = url.deletingPathExtension().lastPathComponent
        let name = stem.hasPrefix("history") ? "dashboard" + stem.dropFirst("history".count) : stem + "-dashboard"
        return url.deletingLastPathComponent().appendingPathComponent(name + ".html")
    }

    /// The commit under test: CI's, else the work tree's.
    static var gitCommit: String {
        if let sha = ProcessInfo.processInfo.environment["GITHUB_SHA"], !sha.isEmpty { return sha }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "" }
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return process.terminationStatus == 0 ? text.trimmingCharacters(in: .whitespacesAndNewlines) : ""
    }
}
