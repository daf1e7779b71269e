import ArgumentParser
import Foundation
import RunReporting

/// `anon-e2e cases [--tag NAME] [--filter]`: the Staging cases as their sources
/// declare them; `--filter` prints one regular expression for the test binary's
/// `--filter` that selects them (ci/stages runs the critical ones by tag).
struct CasesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "List the Staging cases (with their rules and tags), or print a --filter that selects those with a tag."
    )

    @Option(name: .long, help: "The folder of the Staging cases.")
    var cases = "Tests/AnonE2ETests"

    @Option(name: .long, help: "Only the cases with this tag (their own or their suite's), e.g. criticalNormal.")
    var tag: String?

    @Flag(name: .long, help: "Print a --filter regular expression instead of the list.")
    var filter = false

    func run() throws {
        let selected = try CaseDeclaration.scan(URL(fileURLWithPath: cases)).filter { tag == nil || $0.tags.contains(tag!) }
        guard !selected.isEmpty else {
            throw ValidationError("no case in \(cases)\(tag.map { " has the tag \($0)" } ?? "")")
        }
        if filter {
            print(selected.map(\.filter).joined(separator: "|"))
        } else {
            for declaration in selected {
                print("\(declaration.id)  rules: \(declaration.rules.joined(separator: " "))  tags: \(declaration.tags.joined(separator: " "))" +
                      "  filter: \(declaration.filter)")
            }
        }
    }
}
