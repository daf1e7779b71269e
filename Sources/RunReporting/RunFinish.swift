import Contract
import Evidence
import Foundation
import Protocols
import RunHistory
import RunMetrics

/// The one pipeline every finished run goes through, suite or daily: judge the
/// outcome once, scan for secrets what is on disk and what is about to be
/// written, push the metrics, and only then write REPORT.md, REPORT.html, the
/// JUnit XML, the history row, metrics.prom and the dashboard. A problem found
/// on the way (a leak, a push refused) is judged with the rest before anything
/// is written, so every output and the exit status say the same thing.
public struct RunFinish: Sendable {
    public let configuration: Configuration
    /// Why `.env.local` could not be read, when it could not (the run is red).
    public let configurationError: String?
    /// The run's artifacts folder, `artifacts/<run-id>/`.
    public let directory: URL
    public var junit: URL?
    /// Where REPORT.md is copied for people who look in the work tree first (`./REPORT.md`).
    public var reportCopy: URL?
    public var historyPath: String
    /// The raw console of the test process: scanned, then written redacted as `console.log` and removed.
    public var console: URL?
    /// The hashes of the tokens the test process handled; removed after the scan.
    public var fingerprints: URL?
    /// The contract, for REPORT's rules section (each case's rules come from the run's notes).
    public var contract: URL?

    public init(configuration: Configuration, configurationError: String?, directory: URL) {
        self.configuration = configuration
        self.configurationError = configurationError
        self.directory = directory
        historyPath = configuration.text(.historyPath)
        fingerprints = configuration[.fingerprints].map { URL(fileURLWithPath: $0) }
    }

    /// What the pipeline wrote and said.
    public struct Finished: Sendable {
        public let verdict: RunVerdict
        public let outcome: RunOutcome
        /// One line per output written, for the console.
        public let lines: [String]
    }

    /// The outputs of one judgement, rendered but not written.
    struct Rendered {
        var markdown: String
        var html: String
        var junit: String
        var recorded: RecordedRun
        var metrics: RunMetrics
    }

    public func finish(_ outcome: RunOutcome, gitCommit: String) async throws -> Finished {
        let notes = EvidenceRecorder.notes(in: directory)
        // Each case's rules as the run recorded them (`.rules(...)`), not as the sources say now.
        let coverage = try? contract.map { try RuleCoverage(contract: $0, notes: notes) }
        let redactor = Redactor(configuration: configuration)
        var outputErrors: [(RunVerdict.Problem.Kind, String)] = []
        // The streak before this run, for e2e_anon_consecutive_failures (a history that cannot be read counts none).
        let failedBefore = historyPath.isEmpty ? 0 : (try? HistoryDatabase(path: historyPath)
            .consecutiveFailures(kind: outcome.kind, targetKind: configuration.text(.targetKind))) ?? 0

        func render() -> (RunVerdict, Rendered) {
            let verdict = RunVerdict(outcome: outcome, configuration: configuration, configurationError: configurationError, outputErrors: outputErrors)
            let report = RunReport(runID: directory.lastPathComponent, target: configuration.targetDescription, cases: outcome.log.cases,
                                   notes: notes, verdict: verdict, rules: coverage, filter: outcome.filter,
                                   dialect: (try? configuration.dialect()) ?? NativeDialect())
            let runProblems = verdict.failed ? verdict.problems.filter { $0.kind != .failedCases }.map(\.message) : []
            let junit = JUnitReport(name: "Staging (\(configuration.targetDescription))", cases: outcome.log.cases, runProblems: runProblems)
            let recorded = RunImport(directory: directory, outcome: outcome, notes: notes, verdict: verdict, configuration: configuration,
                                     rules: coverage?.cases ?? [:], redactor: redactor).recorded(gitCommit: gitCommit)
            return (verdict, Rendered(markdown: redactor.redact(report.markdown), html: redactor.redact(report.html(directory: directory)),
                                      junit: redactor.redact(junit.xml), recorded: recorded, metrics: RunMetrics(recorded, failedBefore: failedBefore)))
        }

        // 1. The secret scan: the run's files and the raw console as they are, and what is about to be written.
        var (verdict, rendered) = render()
        let (files, leaks) = try scan(rendered, stopped: outcome.stop != nil)
        if !leaks.isEmpty {
            outputErrors.append((.secretScan, "the secret scan found \(leaks.count) leak(s): " +
                                 leaks.prefix(5).map(\.description).joined(separator: "; ")))
            (verdict, rendered) = render()
        }
        var lines = leaks.map { "leak: \($0)" }
        if outcome.kind == .suite, outcome.stop == nil {
            lines.append("anonymous sign-ins: \(TraceNote.anonymousSignIns(in: notes)) of a budget of \(configuration.int(.signInBudget)) (ANON_E2E_SIGNIN_BUDGET)")
        }
        if leaks.isEmpty {
            lines.append("secret scan: no secret in \(files) files and the outputs to write (\(configuration.labeledSecrets.count) configured secrets)")
        }

        // 2. The push, before the history: a refused push is a problem of this run's record too.
        if let gateway = configuration[.pushgatewayURL] {
            do {
                try await Pushgateway(baseURL: gateway).push(rendered.metrics, grouping: Self.grouping(rendered.recorded.run))
                lines.append("metrics pushed to \(gateway)")
            } catch {
                outputErrors.append((.report, "the metrics could not be pushed: \(error)"))
                (verdict, rendered) = render()
                lines.append("the metrics could not be pushed: \(error)")
            }
        }

        // 3. Every output, from the one verdict.
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let reportURL = directory.appendingPathComponent("REPORT.md")
        try Data(rendered.markdown.utf8).write(to: reportURL)
        try Data(rendered.html.utf8).write(to: directory.appendingPathComponent("REPORT.html"))
        lines.append("report: \(reportURL.path)" + (reportCopy.map { " (and \($0.path))" } ?? ""))
        if let reportCopy { try Data(rendered.markdown.utf8).write(to: reportCopy) }
        if let junit {
            try FileManager.default.createDirectory(at: junit.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(rendered.junit.utf8).write(to: junit)
            lines.append("JUnit: \(junit.path)")
        }
        let metricsURL = directory.appendingPathComponent("metrics.prom")
        try Data(rendered.metrics.text.utf8).write(to: metricsURL)
        lines.append("metrics: \(metricsURL.path)")
        let history = try HistoryDatabase(path: historyPath)
        try history.record(rendered.recorded)
        lines.append("history: \(historyPath) (\(try history.lastRuns(1_000_000).count) runs)")
        let dashboardURL = Self.dashboardURL(history: historyPath)
        try Data(redactor.redact(try Dashboard(history: history).html).utf8).write(to: dashboardURL)
        lines.append("dashboard: \(dashboardURL.path)")
        lines.append("artifacts: \(directory.path)")
        return Finished(verdict: verdict, outcome: outcome, lines: lines)
    }

    /// Scans the run's folder, the raw console and the history on disk, and the
    /// rendered outputs in memory; then writes the console redacted and removes
    /// the raw one and the fingerprints, which must outlive no run.
    func scan(_ rendered: Rendered, stopped: Bool) throws -> (files: Int, leaks: [SecretScanner.Leak]) {
        var known: [SecretFingerprint] = []
        if let fingerprints, let data = FileManager.default.contents(atPath: fingerprints.path) {
            let decoder = JSONDecoder()
            known = data.split(separator: 10).compactMap { try? decoder.decode(SecretFingerprint.self, from: Data($0)) }
        }
        let scanner = SecretScanner(secrets: configuration.labeledSecrets, fingerprints: known)
        var paths = [directory.path, console?.path, historyPath].compactMap { $0 }.filter { FileManager.default.fileExists(atPath: $0) }
        // A run that stopped before testing may have nothing on disk yet; any other run has its event stream.
        if stopped { paths = paths.filter { (try? scanner.scan(paths: [$0])) != nil } }
        var (files, leaks) = try scanner.scan(paths: paths)
        let history = rendered.recorded.cases.map(\.reason).joined(separator: "\n") + rendered.recorded.run.problems
        for (name, text) in [("REPORT.md", rendered.markdown), ("REPORT.html", rendered.html), ("JUnit XML", rendered.junit),
                             ("metrics.prom", rendered.metrics.text), ("the history row", history)] {
            leaks += scanner.scan(Array(text.utf8), file: name)
        }
        if let console, let data = FileManager.default.contents(atPath: console.path) {
            try Data(Redactor(configuration: configuration).redact(Array(data))).write(to: directory.appendingPathComponent("console.log"))
            try? FileManager.default.removeItem(at: console)
        }
        if let fingerprints { try? FileManager.default.removeItem(at: fingerprints) }
        return (files, leaks)
    }

    /// The Pushgateway group of a run: one per kind, target and scope, so a
    /// daily run never replaces the suite's `e2e_anon_success`, nor a filtered run a whole one.
    static func grouping(_ run: HistoryRun) -> [(String, String)] {
        [("kind", run.kind.rawValue), ("target", run.targetKind), ("scope", run.filter.isEmpty ? "full" : "filtered"),
         ("instance", run.targetHost.isEmpty ? "none" : run.targetHost)]
    }

    /// The dashboard beside its history (where the runs' report links resolve):
    /// history.sqlite → dashboard.html, history-NAME.sqlite → dashboard-NAME.html.
    public static func dashboardURL(history: String) -> URL {
        let url = URL(fileURLWithPath: history)
        let stem = url.deletingPathExtension().lastPathComponent
        let name = stem.hasPrefix("history") ? "dashboard" + stem.dropFirst("history".count) : stem + "-dashboard"
        return url.deletingLastPathComponent().appendingPathComponent(name + ".html")
    }
}
