import ArgumentParser
import Evidence
import Foundation
import RunReporting

/// `anon-e2e prove`: the matrix of `ci/prove`. A fault-free run must pass, and
/// every fault of LocalStaging must make a case of a rule it names fail
/// (FaultProof); each MUST is listed with the faults of its own that prove it.
struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Read ci/prove's runs (none.events.jsonl and FAULT.events.jsonl) and print the matrix fault → failing cases → rules."
    )

    @Option(name: .long, help: "The folder with one event stream per run.")
    var runs = "artifacts/prove"

    @Option(name: .long, help: "The faults that ran, 'name<TAB>rules<TAB>what it breaks' per line (local-staging --list-faults).")
    var faults: String

    @Flag(name: .long, help: "Fail unless every MUST rule has a fault of its own that fails a case declaring it (the full matrix).")
    var everyRule = false

    @Option(name: .long, help: "The contract with its rule ids.")
    var contract = "docs/CONTRACT.md"

    @Option(name: .long, help: "The folder of the Staging cases.")
    var cases = "Tests/AnonE2ETests"

    func run() throws {
        let coverage = try RuleCoverage(contract: URL(fileURLWithPath: contract), caseSources: URL(fileURLWithPath: cases))
        let list = FaultProof.Fault.parse(list: try String(contentsOfFile: faults, encoding: .utf8))
        func log(_ name: String) -> TestEventLog? { try? TestEventLog(contentsOf: URL(fileURLWithPath: runs).appendingPathComponent("\(name).events.jsonl")) }
        var failed = false
        var text = "# ci/prove: does each case bite?\n\n"
        if let clean = log("none"), clean.failed == 0, clean.passed > 0 {
            text += "Fault-free run: \(clean.summaryLine).\n\n"
        } else {
            text += "**Fault-free run failed or did not run**: \(log("none")?.summaryLine ?? "no events").\n\n"
            failed = true
        }
        // A SHOULD is reported, not failed: a case that warned (its run's notes) where the fault-free run did not detects its fault too.
        func warned(_ name: String) -> Set<String> {
            Set(EvidenceRecorder.notes(in: URL(fileURLWithPath: runs).appendingPathComponent("runs/\(name)"))
                .filter { $0.kind == .warning }.compactMap { $0.caseID?.description })
        }
        let cleanWarnings = warned("none")
        var failing: [String: Set<String>] = [:]
        for fault in list {
            let warnings = warned(fault.name).subtracting(cleanWarnings)
            failing[fault.name] = Set(log(fault.name)?.cases.filter { $0.verdict == .failed || warnings.contains($0.id) }.map(\.id) ?? [])
        }
        let proof = FaultProof(faults: list, failing: failing, coverage: coverage)
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        text += "| fault | rules it breaks | what it breaks | failing cases | proves |\n|---|---|---|---|---|\n"
        for fault in list {
            let cases = (failing[fault.name] ?? []).sorted()
            let verdict = switch proof.verdict(fault) {
            case let .proves(rules): rules.joined(separator: ", ")
            case .offRule: "**no: only other rules' cases failed**"
            case .survived: "**no: survived**"
            case .namesNoRule: "**no: names no rule of the contract**"
            }
            text += "| \(fault.name) | \(fault.rules.joined(separator: ", ")) | \(cell(fault.summary)) | \(cases.isEmpty ? "none" : cases.joined(separator: ", ")) | \(verdict) |\n"
        }
        let misses = proof.misses
        if !misses.isEmpty { failed = true }
        text += "\nkilled on their own rules \(list.count - misses.count)/\(list.count)\n"
        if !misses.isEmpty { text += "\nFaults that do not show their rule bites: " + misses.map(\.name).joined(separator: ", ") + "\n" }
        // Each MUST, and the faults of its own that prove it.
        let provers = proof.provers
        text += "\n## Rules\n\n| rule | level | proven by |\n|---|---|---|\n"
        for rule in coverage.rules {
            text += "| \(rule.id) | \(rule.level.rawValue) | \(provers[rule.id].map { $0.map { "`\($0)`" }.joined(separator: ", ") } ?? "**no fault of its own**") |\n"
        }
        let unproven = proof.unprovenMUSTs
        if !unproven.isEmpty {
            text += "\nMUST rules with no fault of their own that fails their cases: " + unproven.map(\.id).joined(separator: ", ") + "\n"
            if everyRule { failed = true }
        } else {
            text += "\nEvery MUST rule has a fault of its own that fails a case declaring it.\n"
        }
        // The other way round: each case, its rules, and the faults that make it fail (README's table).
        if let clean = log("none") {
            text += "\n## Cases\n\n| case | what it checks | rules | faults that make it fail |\n|---|---|---|---|\n"
            for item in clean.cases {
                let killers = list.map(\.name).filter { failing[$0]?.contains(item.id) == true }
                text += "| \(item.id) | \(item.displayName.replacingOccurrences(of: "|", with: "\\|")) | \((coverage.cases[item.id] ?? []).joined(separator: ", ")) | " +
                    "\(killers.isEmpty ? "**none**" : killers.map { "`\($0)`" }.joined(separator: ", ")) |\n"
            }
        }
        let url = URL(fileURLWithPath: runs).appendingPathComponent("matrix.md")
        try Data(text.utf8).write(to: url)
        print(text, terminator: "")
        print("matrix: \(url.path)")
        if failed { throw ExitCode(1) }
    }
}
