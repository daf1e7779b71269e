import ArgumentParser
import Foundation
import Contract
import Evidence
import RunReporting

/// `anon-e2e report`: REPORT.md and the JUnit XML of a Staging run, from
/// Swift Testing's event stream and the run's index.jsonl.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write REPORT.md, REPORT.html and JUnit XML for a run from its event stream and artifacts."
    )

    @Option(name: .customLong("run"), help: "The run's artifact folder.")
    var runDirectory: String = "artifacts/latest"

    @Option(name: .long, help: "Swift Testing's event stream of the run (swift test --event-stream-output-path F --event-stream-version 0).")
    var events: String

    @Option(name: .long, help: "Where to write the JUnit XML (skipped cases as <skipped message=…>).")
    var junit: String?

    @Option(name: .long, help: "The contract with its rule ids (for the rules section).")
    var contract = "docs/CONTRACT.md"

    @Option(name: .long, help: "The folder of the Staging cases (their .rules(...)).")
    var cases = "Tests/AnonE2ETests"

    func run() throws {
        let directory = URL(fileURLWithPath: runDirectory).resolvingSymlinksInPath()
        let (configuration, configurationError) = Configuration.loadReporting()
        let log = try TestEventLog(contentsOf: URL(fileURLWithPath: events))
        let verdict = RunVerdict(log: log, configuration: configuration, configurationError: configurationError)
        let coverage = try? RuleCoverage(contract: URL(fileURLWithPath: contract), caseSources: URL(fileURLWithPath: cases))
        let report = RunReport(runID: directory.lastPathComponent, target: configuration.targetDescription, cases: log.cases,
                               notes: EvidenceRecorder.notes(in: directory), verdict: verdict, rules: coverage)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("REPORT.md")
        try Data(Redactor.shared.redact(report.markdown).utf8).write(to: url)
        try Data(Redactor.shared.redact(report.html(directory: directory)).utf8).write(to: directory.appendingPathComponent("REPORT.html"))
        if let junit {
            let xml = JUnitReport(name: "Staging (\(configuration.targetDescription))", cases: log.cases).xml
            try Data(Redactor.shared.redact(xml).utf8).write(to: URL(fileURLWithPath: junit))
        }
        print(url.path)
    }
}

/// `anon-e2e verdict`: the run's last word. Prints every problem and the
/// closing `N passed, N failed, N skipped` line; exits 1 when the run failed
/// (a failed case; in strict mode any problem).
struct VerdictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verdict",
        abstract: "Say whether a Staging run is green: failed cases, skips not allowed, no case run, missing capabilities (strict)."
    )

    @Option(name: .long, help: "Swift Testing's event stream of the run.")
    var events: String

    @Flag(name: .long, help: "Print only the cases' closing line (N passed, N failed, N skipped).")
    var countsOnly = false

    @Option(name: .customLong("report-failed"), help: "The report step failed, with this message.")
    var reportFailure: String?

    @Option(name: .customLong("scan-failed"), help: "The secret scan failed, with this message.")
    var scanFailure: String?

    func run() throws {
        let (configuration, configurationError) = Configuration.loadReporting()
        let log: TestEventLog
        do { log = try TestEventLog(contentsOf: URL(fileURLWithPath: events)) } catch {
            print("anon-e2e: no verdict: \(error)")
            throw ExitCode(1)
        }
        if countsOnly {
            print(log.summaryLine)
            if log.failed > 0 { throw ExitCode(1) }
            return
        }
        var outputs: [(RunVerdict.Problem.Kind, String)] = []
        if let reportFailure { outputs.append((.report, "the report could not be written: \(reportFailure)")) }
        if let scanFailure { outputs.append((.secretScan, "the secret scan failed: \(scanFailure)")) }
        let verdict = RunVerdict(log: log, configuration: configuration, configurationError: configurationError, outputErrors: outputs)
        print("")
        print("anon-e2e verdict for \(configuration.targetDescription) (\(verdict.strict ? "strict" : "not strict: problems do not fail the run")):")
        for item in log.cases where item.verdict == .skipped {
            print("  skipped \(item.id): \(item.reason ?? "no reason")")
        }
        for problem in verdict.problems {
            print("  \(verdict.strict || problem.kind.alwaysFails ? "✘" : "!!") \(problem.message)")
        }
        if verdict.problems.isEmpty { print("  ✔ every case ran its check and held") }
        print("\(verdict.failed ? "FAILED" : "passed"): \(log.summaryLine)")
        if verdict.failed { throw ExitCode(1) }
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
