import ArgumentParser
import Contract
import Foundation
import RunReporting

/// `anon-e2e verdict`: what a finished run's event stream says, judged as
/// `finish` judges it (without its outputs: `finish` is the run's last word).
/// Prints every problem and the closing `N passed, N failed, N skipped` line;
/// exits 1 when the run failed.
struct VerdictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verdict",
        abstract: "Say whether a Staging run is green: failed cases, skips not allowed, no case run, missing capabilities (strict)."
    )

    @Option(name: .long, help: "Swift Testing's event stream of the run.")
    var events: String

    @Flag(name: .long, help: "Print only the cases' closing line (N passed, N failed, N skipped).")
    var countsOnly = false

    @Flag(name: .customLong("no-skip"), help: "Fail when any case was skipped, naming each (a run that must run everything: ci/test's offline tests).")
    var noSkip = false

    @Flag(name: .customLong("failed-cases"), help: "Print only the failed cases, one per line (Suite/case), sorted; exits 0.")
    var failedCases = false

    func run() throws {
        let (configuration, configurationError) = Configuration.loadReporting()
        let outcome = RunOutcome.suite(events: URL(fileURLWithPath: events), filter: nil, testExitStatus: nil, stop: nil)
        if failedCases {
            for id in outcome.log.cases.filter({ $0.verdict == .failed }).map({ "\($0.id)" }).sorted() { print(id) }
            return
        }
        let verdict = RunVerdict(outcome: outcome, configuration: configuration, configurationError: configurationError)
        let skipped = noSkip ? outcome.log.cases.filter { $0.verdict == .skipped } : []
        for item in skipped { print("skipped, and this run must skip nothing: \(item.id) (\(item.reason ?? "no reason"))") }
        if countsOnly {
            print(outcome.log.summaryLine)
            if outcome.log.failed > 0 || outcome.stop != nil || !skipped.isEmpty { throw ExitCode(1) }
            return
        }
        for line in verdict.consoleLines(log: outcome.log, target: configuration.targetDescription) { print(line) }
        if verdict.failed || !skipped.isEmpty { throw ExitCode(1) }
    }
}

extension Configuration {
    /// The configuration for a report: a malformed file is a problem of the
    /// run, reported with everything else, not a crash of the reporter.
    static func loadReporting() -> (Configuration, String?) {
        do { return (try load(), nil) } catch {
            return (Configuration(values: ProcessInfo.processInfo.environment), String(describing: error))
        }
    }
}
