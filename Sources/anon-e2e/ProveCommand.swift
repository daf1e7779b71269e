import ArgumentParser
import Evidence
import Foundation
import RunReporting

/// `anon-e2e prove`: the matrix of `ci/prove`. A fault-free run must pass, and
/// every fault of LocalStaging must make at least one case fail; each fault is
/// listed with the cases it failed and the rules those cases check.
struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Read ci/prove's runs (none.events.jsonl and FAULT.events.jsonl) and print the matrix fault → failing cases → rules."
    )

    @Option(name: .long, help: "The folder with one event stream per run.")
    var runs = "artifacts/prove"

    @Option(name: .long, help: "The faults that ran, 'name<TAB>what it breaks' per line (local-staging --list-faults).")
    var faults: String

    @Flag(name: .long, help: "Fail unless every MUST rule has a fault that only its cases detect (the full matrix).")
    var everyRule = false

    @Option(name: .long, help: "The contract with its rule ids.")
    var contract = "docs/CONTRACT.md"

    @Option(name: .long, help: "The folder of the Staging cases.")
    var cases = "Tests/AnonE2ETests"

    func run() throws {
        let coverage = try RuleCoverage(contract: URL(fileURLWithPath: contract), caseSources: URL(fileURLWithPath: cases))
        let list = try String(contentsOfFile: faults, encoding: .utf8).split(separator: "\n").map { line in
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            return (name: parts[0], summary: parts.count > 1 ? parts[1] : "")
        }
        func log(_ name: String) -> TestEventLog? { try? TestEventLog(contentsOf: URL(fileURLWithPath: runs).appendingPathComponent("\(name).events.jsonl")) }
        var failed = false
        var text = "# ci/prove: does each case bite?\n\n"
        if let clean = log("none"), clean.failed == 0, clean.passed > 0 {
            text += "Fault-free run: \(clean.summaryLine).\n\n"
        } else {
            text += "**Fault-free run failed or did not run**: \(log("none")?.summaryLine ?? "no events").\n\n"
            failed = true
        }
        text += "| fault | what it breaks | failing cases | rules of those cases |\n|---|---|---|---|\n"
        var killed = 0
        var failing: [String: Set<String>] = [:]
        // A SHOULD is reported, not failed: a case that warned (its run's notes) where the fault-free run did not detects its fault too.
        func warned(_ name: String) -> Set<String> {
            Set(EvidenceRecorder.notes(in: URL(fileURLWithPath: runs).appendingPathComponent("runs/\(name)"))
                .filter { $0.kind == .warning }.compactMap { $0.caseID?.description })
        }
        let cleanWarnings = warned("none")
        for fault in list {
            let warnings = warned(fault.name).subtracting(cleanWarnings)
            let cases = log(fault.name)?.cases.filter { $0.verdict == .failed || warnings.contains($0.id) }.map(\.id) ?? []
            failing[fault.name] = Set(cases)
            let rules = Set(cases.flatMap { coverage.cases[$0] ?? [] }).sorted { $0.compare($1, options: .numeric) == .orderedAscending }
            if cases.isEmpty { failed = true } else { killed += 1 }
            text += "| \(fault.name) | \(fault.summary.replacingOccurrences(of: "|", with: "\\|")) | \(cases.isEmpty ? "**none: survived**" : cases.sorted().joined(separator: ", ")) | \(rules.joined(separator: ", ")) |\n"
        }
        // A MUST is proven when some fault fails only cases that check it.
        let unproven = coverage.rules.filter { rule in
            rule.level == .must && !failing.values.contains { !$0.isEmpty && $0.isSubset(of: Set(coverage.cases(for: rule.id))) }
        }
        text += "\nkilled \(killed)/\(list.count)\n"
        if !unproven.isEmpty {
            text += "\nMUST rules with no fault that only their cases detect: " + unproven.map(\.id).joined(separator: ", ") + "\n"
            if everyRule { failed = true }
        } else {
            text += "\nEvery MUST rule has a fault that only its cases detect.\n"
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
