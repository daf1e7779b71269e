/// The judgement of `ci/prove`: does each case bite on the rule it claims?
///
/// Every fault names the rules it breaks. A fault *proves* a rule it names when
/// it makes a case fail that declares that rule; a rule is proven only by such a
/// fault of its own, never by an unrelated fault whose failures happen to land on
/// cases that also declare it (cases declare several rules).
public struct FaultProof: Sendable {
    /// One line of `local-staging --list-faults`: `name<TAB>rules<TAB>what it breaks`.
    public struct Fault: Sendable, Equatable {
        public let name: String
        public let rules: [String]
        public let summary: String

        public init(name: String, rules: [String], summary: String) {
            self.name = name
            self.rules = rules
            self.summary = summary
        }

        /// Reads `--list-faults`'s lines; a line without rules names none (and will not prove anything).
        public static func parse(list: String) -> [Fault] {
            list.split(separator: "\n").map { line in
                let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
                return Fault(name: parts[0], rules: parts.count > 1 ? parts[1].split(separator: " ").map(String.init) : [],
                             summary: parts.count > 2 ? parts[2] : "")
            }
        }
    }

    public enum Verdict: Sendable, Equatable {
        /// Failed a case of a rule it names (those rules).
        case proves([String])
        /// Failed cases, none of which declares a rule the fault names.
        case offRule
        /// No case failed.
        case survived
        /// The fault names no rule of the contract.
        case namesNoRule
    }

    public let faults: [Fault]
    /// Fault name → the cases it made fail (or warn, for a SHOULD).
    public let failing: [String: Set<String>]
    public let coverage: RuleCoverage

    public init(faults: [Fault], failing: [String: Set<String>], coverage: RuleCoverage) {
        self.faults = faults
        self.failing = failing
        self.coverage = coverage
    }

    public func verdict(_ fault: Fault) -> Verdict {
        let known = Set(coverage.rules.map(\.id))
        let named = fault.rules.filter(known.contains)
        if named.isEmpty { return .namesNoRule }
        let cases = failing[fault.name] ?? []
        if cases.isEmpty { return .survived }
        let proven = named.filter { rule in cases.contains { coverage.cases[$0]?.contains(rule) == true } }
        return proven.isEmpty ? .offRule : .proves(proven)
    }

    /// Rule id → the faults of its own that prove it.
    public var provers: [String: [String]] {
        var provers: [String: [String]] = [:]
        for fault in faults {
            if case let .proves(rules) = verdict(fault) { for rule in rules { provers[rule, default: []].append(fault.name) } }
        }
        return provers
    }

    /// The MUSTs no fault of their own proves.
    public var unprovenMUSTs: [ContractRule] {
        let provers = provers
        return coverage.rules.filter { $0.level == .must && provers[$0.id] == nil }
    }

    /// The faults that do not show their rule bites: survived, failed only other rules' cases, or named none.
    public var misses: [Fault] {
        faults.filter { if case .proves = verdict($0) { false } else { true } }
    }
}
