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
        abstract: "The run history: the last runs, one case over time, flaky cases, latency percentiles (anon-e2e finish adds each run).",
        subcommands: [HistoryShowCommand.self, HistoryCountCommand.self],
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
        let path = db ?? configuration.text(.historyPath)
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
                  String(format: "  %.0f s  ", run.seconds) + "\(run.targetKind) \(run.targetHost)  \(run.gitCommit.prefix(10))" +
                  (run.filter.isEmpty ? "" : "  filtered: \(run.filter)"))
            if !run.green, let problem = run.problems.split(separator: "\n").first { print("      \(problem.prefix(160))") }
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

/// `anon-e2e history count`: how many recorded runs match, for scripts that
/// check what a run recorded (ci/test) without a query language of their own.
struct HistoryCountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "count", abstract: "Print how many recorded runs match the given conditions.")

    @Option(name: .long, help: "The history file (default ANON_E2E_HISTORY or artifacts/history.sqlite).")
    var db: String?

    @Option(name: .long, help: "Only runs of this kind: suite or daily.")
    var kind: HistoryRun.Kind?

    @Option(name: .customLong("run"), help: "Only the run with this id.")
    var runID: String?

    @Flag(name: .long, help: "Only runs recorded red.")
    var red = false

    @Flag(name: .customLong("with-failed-case"), help: "Only runs with at least one failed case.")
    var withFailedCase = false

    func run() throws {
        let (configuration, _) = Configuration.loadReporting()
        let path = db ?? configuration.text(.historyPath)
        guard FileManager.default.fileExists(atPath: path) else {
            print(0)
            return
        }
        let history = try HistoryDatabase(path: path)
        var runs = try history.lastRuns(Int.max, kind: kind).filter { (runID == nil || $0.runID == runID) && (!red || !$0.green) }
        if withFailedCase {
            let failed = Set(try history.cases(ofRuns: runs).filter { $0.verdict == "failed" }.map(\.run))
            runs = runs.filter { failed.contains($0.id ?? -1) }
        }
        print(runs.count)
    }
}

extension HistoryRun.Kind: ExpressibleByArgument {}

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
        let path = db ?? configuration.text(.historyPath)
        guard FileManager.default.fileExists(atPath: path) else {
            print("anon-e2e: no history at \(path) yet")
            throw ExitCode(1)
        }
        let target = out ?? RunFinish.dashboardURL(history: path).path
        try Data(Redactor(configuration: configuration).redact(try Dashboard(history: try HistoryDatabase(path: path), limit: runs).html).utf8).write(to: URL(fileURLWithPath: target))
        print(target)
    }
}
