import ArgumentParser
import Foundation
import RunReporting

/// `anon-e2e coverage`: the matrix rule → cases, from CONTRACT.md's rule ids
/// and the `.rules(...)` of the Staging cases; with a run, each rule's verdict.
struct CoverageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "Print which Staging cases check each rule of the contract; fail when a MUST has no case."
    )

    @Option(name: .long, help: "The contract with its rule ids.")
    var contract = "docs/CONTRACT.md"

    @Option(name: .long, help: "The folder of the Staging cases.")
    var cases = "Tests/AnonE2ETests"

    @Option(name: .long, help: "A run's event stream: adds each rule's verdict.")
    var events: String?

    func run() throws {
        let coverage = try RuleCoverage(contract: URL(fileURLWithPath: contract), caseSources: URL(fileURLWithPath: cases))
        let log = try events.map { try TestEventLog(contentsOf: URL(fileURLWithPath: $0)) }
        print(coverage.markdown(log: log), terminator: "")
        let musts = coverage.rules.filter { $0.level == .must }
        print("\n\(musts.count - coverage.uncoveredMUSTs.count) of \(musts.count) MUST rules have a case; " +
              "\(coverage.rules.count - musts.count) SHOULD rules; \(coverage.cases.count) cases")
        var failed = false
        for rule in coverage.uncoveredMUSTs {
            print("✘ no case checks \(rule.id) MUST: \(rule.text)")
            failed = true
        }
        for id in coverage.unknownIDs {
            print("✘ a case names \(id), which the contract does not have")
            failed = true
        }
        if failed { throw ExitCode(1) }
    }
}
