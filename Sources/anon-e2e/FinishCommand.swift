import ArgumentParser
import Contract
import Foundation
import RunReporting

/// `anon-e2e finish`: the end of every Staging run (ci/e2e), also of one that
/// stopped before testing. Reads the run once, judges it once, scans for
/// secrets, then writes REPORT.md, REPORT.html, JUnit, the history row,
/// metrics.prom (and the push) and the dashboard; exits 1 when the run failed.
struct FinishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finish",
        abstract: "Judge a Staging run once and write every output from that verdict: reports, JUnit, history, metrics, dashboard."
    )

    @Option(name: .customLong("run"), help: "The run's artifact folder (artifacts/<run-id>).")
    var runDirectory: String

    @Option(name: .long, help: "Swift Testing's event stream of the run (swift test --event-stream-output-path F --event-stream-version 0).")
    var events: String?

    @Option(name: .customLong("test-status"), help: "swift test's exit status.")
    var testStatus: Int32?

    @Option(name: .long, help: "The --filter the run used (empty or absent: the whole suite).")
    var filter: String?

    @Option(name: .customLong("stopped-at"), help: "The run stopped before testing, at this stage (build, configuration, …).")
    var stoppedAt: String?

    @Option(name: .long, help: "Why it stopped (with --stopped-at).")
    var reason: String?

    @Option(name: .long, help: "Where to write the JUnit XML.")
    var junit: String?

    @Option(name: .customLong("report-copy"), help: "Where to copy REPORT.md as well (./REPORT.md).")
    var reportCopy: String?

    @Option(name: .long, help: "The test process's raw console: scanned, written redacted as console.log, removed.")
    var console: String?

    @Option(name: .long, help: "The contract with its rule ids (for REPORT's rules section).")
    var contract = "docs/CONTRACT.md"

    func run() async throws {
        let (configuration, configurationError) = Configuration.loadReporting()
        var finish = RunFinish(configuration: configuration, configurationError: configurationError, directory: URL(fileURLWithPath: runDirectory))
        finish.junit = junit.map { URL(fileURLWithPath: $0) }
        finish.reportCopy = reportCopy.map { URL(fileURLWithPath: $0) }
        finish.console = console.map { URL(fileURLWithPath: $0) }
        finish.contract = URL(fileURLWithPath: contract)
        let stop = stoppedAt.map { RunOutcome.Stop(stage: $0, reason: reason ?? "no reason given") }
        let outcome = RunOutcome.suite(events: events.map { URL(fileURLWithPath: $0) }, filter: filter, testExitStatus: testStatus, stop: stop)
        try await Self.conclude(finish, outcome)
    }

    /// Runs the pipeline, prints what it wrote and the verdict; exit 1 when the run failed.
    static func conclude(_ finish: RunFinish, _ outcome: RunOutcome) async throws {
        let finished: RunFinish.Finished
        do { finished = try await finish.finish(outcome, gitCommit: GitCommit.current) } catch {
            print("anon-e2e: the run's outputs could not be written: \(error)")
            throw ExitCode(1)
        }
        for line in finished.lines { print("[anon-e2e] \(line)") }
        for line in finished.verdict.consoleLines(log: outcome.log, target: finish.configuration.targetDescription) { print(line) }
        if finished.verdict.failed { throw ExitCode(1) }
    }
}
