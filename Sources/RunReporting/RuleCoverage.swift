import Evidence
import Foundation

/// One MUST or SHOULD of CONTRACT.md, by its id (`[S2.3 MUST]` in the text).
public struct ContractRule: Sendable, Equatable {
    public enum Level: String, Sendable { case must = "MUST", should = "SHOULD" }
    public let id: String
    public let level: Level
    /// The line the id stands on, without the markers: what the rule says.
    public let text: String
}

/// Which Staging cases check which rules, and (given a run) how each rule came out.
public struct RuleCoverage: Sendable {
    public let rules: [ContractRule]
    /// Case id (`Suite/function`) → the rule ids it declares with `.rules(...)`.
    public let cases: [String: [String]]

    public init(rules: [ContractRule], cases: [String: [String]]) {
        self.rules = rules
        self.cases = cases
    }

    /// The rules of CONTRACT.md and the rules each case of a run declared (its `rules` notes).
    public init(contract: URL, notes: [TraceNote]) throws {
        var cases: [String: [String]] = [:]
        for note in notes where note.kind == .rules {
            guard let caseID = note.caseID else { continue }
            cases[caseID.description] = (note.message ?? "").split(separator: " ").map(String.init)
        }
        self.init(rules: Self.rules(markdown: try String(contentsOf: contract, encoding: .utf8)), cases: cases)
    }

    /// Reads the rules from CONTRACT.md and the declarations from the Staging cases' sources.
    public init(contract: URL, caseSources: URL) throws {
        self.init(rules: Self.rules(markdown: try String(contentsOf: contract, encoding: .utf8)),
                  cases: try Self.declarations(in: caseSources))
    }

    private static let marker = try! NSRegularExpression(pattern: #"`\[(S\d+\.\d+) (MUST|SHOULD)\]`"#)

    public static func rules(markdown: String) -> [ContractRule] {
        var rules: [ContractRule] = []
        for line in markdown.split(separator: "\n").map(String.init) {
            let range = NSRange(line.startIndex..., in: line)
            let text = marker.stringByReplacingMatches(in: line, range: range, withTemplate: "")
                .replacingOccurrences(of: "  ", with: " ").trimmingCharacters(in: CharacterSet(charactersIn: " |-"))
            for match in marker.matches(in: line, range: range) {
                let id = String(line[Range(match.range(at: 1), in: line)!])
                guard !rules.contains(where: { $0.id == id }) else { continue }
                rules.append(ContractRule(id: id, level: ContractRule.Level(rawValue: String(line[Range(match.range(at: 2), in: line)!]))!,
                                          text: String(text.prefix(140))))
            }
        }
        return rules
    }

    /// Case id → rule ids, from the `.rules(...)` of the cases in a folder.
    public static func declarations(in folder: URL) throws -> [String: [String]] {
        Dictionary(try CaseDeclaration.scan(folder).map { ($0.id, $0.rules) }, uniquingKeysWith: +)
    }

    /// The cases that check a rule.
    public func cases(for rule: String) -> [String] { cases.filter { $0.value.contains(rule) }.map(\.key).sorted() }

    /// MUSTs no case checks: the coverage fails on these.
    public var uncoveredMUSTs: [ContractRule] { rules.filter { $0.level == .must && cases(for: $0.id).isEmpty } }

    /// Ids a case declares that the contract does not have.
    public var unknownIDs: [String] {
        let known = Set(rules.map(\.id))
        return Set(cases.values.flatMap { $0 }).subtracting(known).sorted()
    }

    /// A rule's verdict in a run: broken when a case of it failed, held when
    /// one passed and none failed, skipped (with the reason) when all were skipped.
    public func verdict(_ rule: ContractRule, in log: TestEventLog) -> String {
        let ids = Set(cases(for: rule.id))
        let ran = log.cases.filter { ids.contains($0.id) }
        if ran.isEmpty { return ids.isEmpty ? "no case" : "not run" }
        if ran.contains(where: { $0.verdict == .failed }) { return "broken" }
        if ran.contains(where: { $0.verdict == .passed }) {
            let skipped = ran.filter { $0.verdict == .skipped }.count
            return skipped == 0 ? "held" : "held (\(skipped) of its cases skipped)"
        }
        return "skipped: " + (ran.first?.reason ?? "")
    }

    /// The matrix as Markdown: rule, level, cases, and (given a run) the verdict.
    public func markdown(log: TestEventLog? = nil) -> String {
        var text = "| rule | level | what | cases |\(log == nil ? "" : " verdict |")\n|---|---|---|---|\(log == nil ? "" : "---|")\n"
        for rule in rules {
            let cases = cases(for: rule.id)
            let what = rule.text.replacingOccurrences(of: "|", with: "\\|")
            text += "| \(rule.id) | \(rule.level.rawValue) | \(what) | \(cases.isEmpty ? "**none**" : cases.joined(separator: ", ")) |"
            if let log { text += " \(verdict(rule, in: log).replacingOccurrences(of: "|", with: "\\|")) |" }
            text += "\n"
        }
        return text
    }
}
