import ArgumentParser
import Foundation
import RunReporting

/// `anon-e2e cases [--tag NAME] [--rule ID…] [--filter [--suites]]`: the Staging
/// cases as their sources declare them; `--filter` prints one regular expression
/// for the test binary's `--filter` that selects them (ci/stages runs the critical
/// ones by tag, ci/prove a fault's suites by its rules).
struct CasesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "List the Staging cases (with their rules and tags), or print a --filter that selects those with a tag."
    )

    @Option(name: .long, help: "The folder of the Staging cases.")
    var cases = "Tests/AnonE2ETests"

    @Option(name: .long, help: "Only the cases with this tag (their own or their suite's), e.g. criticalNormal.")
    var tag: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Only the cases that declare one of these rules (S2.4 S3.1 …).")
    var rule: [String] = []

    @Flag(name: .long, help: "Print a --filter regular expression instead of the list.")
    var filter = false

    @Flag(name: .long, help: "With --filter: select the whole suites of those cases (a suite's cases share its fixtures).")
    var suites = false

    func run() throws {
        let selected = try CaseDeclaration.scan(URL(fileURLWithPath: cases)).filter { declaration in
            (tag.map(declaration.tags.contains) ?? true) && (rule.isEmpty || !Set(declaration.rules).isDisjoint(with: rule))
        }
        guard !selected.isEmpty else {
            throw ValidationError("no case in \(cases)\(tag.map { " has the tag \($0)" } ?? "")\(rule.isEmpty ? "" : " declares \(rule.joined(separator: " or "))")")
        }
        if filter {
            let filters = suites ? selected.map { "\($0.caseID.suite)/" } : selected.map(\.filter)
            print(filters.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.joined(separator: "|"))
        } else {
            for declaration in selected {
                print("\(declaration.id)  rules: \(declaration.rules.joined(separator: " "))  tags: \(declaration.tags.joined(separator: " "))" +
                      "  filter: \(declaration.filter)")
            }
        }
    }
}
