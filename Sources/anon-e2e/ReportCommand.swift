import ArgumentParser
import Foundation
import TestSupport

/// `anon-e2e report`: REPORT.md of a run, from its index.jsonl and the JUnit XML.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write REPORT.md for a run from its artifacts and the JUnit XML of swift test."
    )

    @Option(name: .customLong("run"), help: "The run's artifact folder.")
    var runDirectory: String = "artifacts/latest"

    @Option(name: .long, help: "JUnit XML of the Staging run (swift test --xunit-output; Swift Testing's file).")
    var junit: String

    func run() throws {
        let directory = URL(fileURLWithPath: runDirectory).resolvingSymlinksInPath()
        let cases = try RunReport.cases(junit: URL(fileURLWithPath: junit))
        let report = RunReport(runID: directory.lastPathComponent, cases: cases, notes: EvidenceRecorder.notes(in: directory))
        let url = directory.appendingPathComponent("REPORT.md")
        try Data(Redactor.shared.redact(report.markdown).utf8).write(to: url)
        print(url.path)
    }
}
