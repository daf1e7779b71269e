import ArgumentParser
import Foundation
import RunHistory
import Contract
import Evidence
import RunReporting

/// `anon-e2e history`: what the runs said over time.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "The run history: the last runs, one case over time, flaky cases, latency percentiles; `record` adds a run.",
        subcommands: [HistoryShowCommand.self, HistoryRecordCommand.self],
        defaultSubcommand: HistoryShowCommand.self
    )
}

struct HistoryShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the last runs, the flaky cases and the latency percentiles.")

    @Option(name: .long, help: "The history file (default ANON_E2E_HISTORY or artifacts/history.sqlite).")
    var db: String?

    @Option(name: .long, help: "How many of the last runs to list.")
    var runs = 10

    @Option(name: .customLong("case"), help: "One case's history (Suite/function).")
    var caseID: String?

    @Option(name: .long, help: "The window, in runs, in which a case that changed verdict counts as flaky.")
    var flakyWindow = 10

    @Option(name: .long, help: "The period of the latency percentiles, in days.")
    var days = 7.0

    func run() throws {
        let (configuration, _) = Configuration.loadReporting()
        let path = db ?? configuration[.historyPath] ?? "artifacts/history.sqlite"
        guard FileManager.default.fileExists(atPath: path) else {
            print("anon-e2e: no history at \(path) yet (ci/e2e and ci/daily record each run)")
            throw ExitCode(1)
        }
        let history = try HistoryDatabase(path: path)
        if let caseID {
            let rows = try history.history(ofCase: caseID)
            print("\(caseID): \(rows.count) runs")
            for (run, item) in rows {
                print("  \(Self.stamp(run.started))  \(run.runID)  \(item.verdict.padding(toLength: 8, withPad: " ", startingAt: 0)) " +
                      String(format: "%6.2f s  ", item.seconds) + item.reason.replacingOccurrences(of: "\n", with: " ").prefix(120))
            }
            return
        }
        let last = try history.lastRuns(runs)
        print("Last \(last.count) runs (\(path)):")
        for run in last {
            print("  \(Self.stamp(run.started))  \(run.runID.padding(toLength: 28, withPad: " ", startingAt: 0)) \(run.kind.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0))" +
                  " \(run.green ? "green" : "RED  ")  \(run.passed) passed, \(run.failed) failed, \(run.skipped) skipped" +
                  String(format: "  %.0f s  ", run.seconds) + "\(run.targetKind) \(run.targetHost)  \(run.gitCommit.prefix(10))")
        }
        let flaky = try history.flaky(lastRuns: flakyWindow)
        print("\nFlaky in the last \(flakyWindow) runs: \(flaky.isEmpty ? "none" : "")")
        for item in flaky { print("  \(item.caseID): \(item.changes) changes (\(item.verdicts), oldest first)") }
        let since = Date().addingTimeInterval(-days * 86_400)
        let percentiles = try history.percentiles(since: since)
        print("\nMeasurements over the last \(HTMLPage.short(days)) days (ms, counts for stream_events):")
        for item in percentiles {
            print("  \(item.name.padding(toLength: 22, withPad: " ", startingAt: 0)) p50 \(HTMLPage.short(item.p50).padding(toLength: 8, withPad: " ", startingAt: 0))" +
                  " p95 \(HTMLPage.short(item.p95).padding(toLength: 8, withPad: " ", startingAt: 0)) (\(item.count) samples)")
        }
    }

    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}

/// `anon-e2e history record`: a finished Staging run joins the history; its
/// metrics.prom is written (and pushed), the dashboard drawn again.
struct HistoryRecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "record", abstract: "Add a Staging run to the history; write its metrics and the dashboard.")

    @Option(name: .customLong("run"), help: "The run's artifact folder.")
    var runDirectory = "artifacts/latest"

    @Option(name: .long, help: "Swift Testing's event stream of the run.")
    var events: String

    @Option(name: .customLong("report-failed"), help: "The report step failed, with this message.")
    var reportFailure: String?

    @Option(name: .customLong("scan-failed"), help: "The secret scan failed, with this message.")
    var scanFailure: String?

    @Option(name: .long, help: "The folder of the Staging cases (their .rules(...)).")
    var cases = "Tests/AnonE2ETests"

    func run() async throws {
        let (configuration, configurationError) = Configuration.loadReporting()
        let directory = URL(fileURLWithPath: runDirectory).resolvingSymlinksInPath()
        let log = try TestEventLog(contentsOf: URL(fileURLWithPath: events))
        var outputs: [(RunVerdict.Problem.Kind, String)] = []
        if let reportFailure { outputs.append((.report, reportFailure)) }
        if let scanFailure { outputs.append((.secretScan, scanFailure)) }
        let verdict = RunVerdict(log: log, configuration: configuration, configurationError: configurationError, outputErrors: outputs)
        let rules = (try? RuleCoverage.declarations(in: URL(fileURLWithPath: cases))) ?? [:]
        let recorded = RunImport(directory: directory, log: log, notes: EvidenceRecorder.notes(in: directory), verdict: verdict,
                                 configuration: configuration, rules: rules).recorded(gitCommit: RunRecording.gitCommit)
        for line in try await RunRecording(configuration: configuration).finish(recorded, directory: directory) { print(line) }
    }
}

/// `anon-e2e dashboard`: the history drawn as one self-contained page.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dashboard", abstract: "Draw the history as a self-contained HTML page.")

    @Option(name: .long, help: "The history file (default ANON_E2E_HISTORY or artifacts/history.sqlite).")
    var db: String?

    @Option(name: .long, help: "Where to write the page (default: dashboard.html beside the history, where the run links resolve).")
    var out: String?

    @Option(name: .long, help: "How many of the last runs to draw.")
    var runs = 60

    func run() throws {
        let (configuration, _) = Configuration.loadReporting()
        let path = db ?? configuration[.historyPath] ?? "artifacts/history.sqlite"
        guard FileManager.default.fileExists(atPath: path) else {
            print("anon-e2e: no history at \(path) yet")
            throw ExitCode(1)
        }
        let target = out ?? RunRecording.dashboardURL(history: path).path
        try Data(Redactor.shared.redact(try Dashboard(history: try HistoryDatabase(path: path), limit: runs).html).utf8).write(to: URL(fileURLWithPath: target))
        print(target)
    }
}
