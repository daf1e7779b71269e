import ArgumentParser
import Evidence
import Foundation
import RunReporting

/// `anon-e2e timing --run artifacts/<run-id>`: the run's wall time against its critical
/// path, suite by suite, and the sign-ins, messages and streams it used (ci/bench's gate table).
struct TimingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timing",
        abstract: "A run's wall time against its critical path (the longest chain of cases that must run in order), suite by suite."
    )

    @Option(name: .customLong("run"), help: "The run's artifacts folder (its events.jsonl and index.jsonl).")
    var folder: String

    @Option(name: .long, help: "The folder of the Staging cases (which suites are .serialized).")
    var cases = "Tests/AnonE2ETests"

    func run() throws {
        let directory = URL(fileURLWithPath: folder)
        let log = try TestEventLog(contentsOf: directory.appendingPathComponent("events.jsonl"))
        let serialized = Set(try CaseDeclaration.scan(URL(fileURLWithPath: cases)).filter(\.serialized).map(\.caseID.suite))
        print(GateTiming(log: log, notes: EvidenceRecorder.notes(in: directory), serialized: serialized).markdown, terminator: "")
    }
}
