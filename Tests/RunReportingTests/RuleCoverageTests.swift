import Foundation
import Testing
@testable import Evidence
@testable import RunReporting
@testable import Contract
@testable import AnonE2ETesting

/// The rule ids of docs/CONTRACT.md and the `.rules(...)` of the Staging cases meet.
@Suite("Rule coverage: CONTRACT.md's rules and the Staging cases")
struct RuleCoverageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("rule ids are read with their level and text; a case's .rules(...) is read from its @Test")
    func parsing() throws {
        let rules = RuleCoverage.rules(markdown: "a line `[S1.1 MUST]` here\n| row | `[S2.7 SHOULD]` resume |\n")
        #expect(rules.map(\.id) == ["S1.1", "S2.7"])
        #expect(rules.map(\.level) == [.must, .should])
        #expect(rules.first?.text == "a line here")
    }

    @Test("every MUST of docs/CONTRACT.md has a case, and no case names a rule the contract lacks")
    func projectCoverage() throws {
        let coverage = try RuleCoverage(contract: Self.root.appendingPathComponent("docs/CONTRACT.md"),
                                        caseSources: Self.root.appendingPathComponent("Tests/AnonE2ETests"))
        #expect(coverage.rules.count >= 60)
        #expect(coverage.uncoveredMUSTs.map(\.id).isEmpty, "MUSTs without a case: \(coverage.uncoveredMUSTs.map(\.id))")
        #expect(coverage.unknownIDs.isEmpty, "unknown ids: \(coverage.unknownIDs)")
        #expect(coverage.cases["StagingStreamTests/streamInvariants"]?.contains("S2.3") == true)
    }

    @Test("a case's tags are its own and its suite's; its filter selects it by type and function; the critical cases are tagged")
    func caseTags() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cases-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try #"""
        @Suite("StagingX", .requires(.auth, .api), .tags(.stream, .criticalNormal))
        struct StagingXTests {
            @Test("one", .rules("S1.1"), .tags(.extra))
            func one() async throws {}
            @Test("two") func two() {}
        }
        """#.write(to: folder.appendingPathComponent("X.swift"), atomically: true, encoding: .utf8)
        let cases = try CaseDeclaration.scan(folder)
        #expect(cases.map(\.id) == ["StagingXTests/one", "StagingXTests/two"])
        #expect(cases.first?.tags == ["stream", "criticalNormal", "extra"])
        #expect(cases.last?.tags == ["stream", "criticalNormal"])
        #expect(cases.first?.filter == #"StagingXTests/one\b"#)
        #expect(cases.first?.rules == ["S1.1"])

        let project = try CaseDeclaration.scan(Self.root.appendingPathComponent("Tests/AnonE2ETests"))
        #expect(project.contains { $0.id == "StagingAuthTests/anonymousSession" && $0.tags.contains("criticalNormal") })
        #expect(project.contains { $0.id == "StagingJWTTests/mutationsAreRefused" && $0.tags.contains("criticalRefusal") })
    }

    @Test("a rule's verdict: broken when a case failed, held when one passed, skipped with the reason when all skipped")
    func verdicts() {
        let rule = ContractRule(id: "S9.9", level: .must, text: "x")
        let coverage = RuleCoverage(rules: [rule], cases: ["A/a": ["S9.9"], "A/b": ["S9.9"]])
        func log(_ a: TestEventLog.Case.Verdict, _ b: TestEventLog.Case.Verdict) -> TestEventLog {
            TestEventLog(cases: [TestEventLog.Case(caseID: CaseID(suite: "A", function: "a"), displayName: "a", verdict: a, reason: "why a", seconds: 0),
                                 TestEventLog.Case(caseID: CaseID(suite: "A", function: "b"), displayName: "b", verdict: b, reason: "why b", seconds: 0)])
        }
        #expect(coverage.verdict(rule, in: log(.passed, .failed)) == "broken")
        #expect(coverage.verdict(rule, in: log(.passed, .passed)) == "held")
        #expect(coverage.verdict(rule, in: log(.skipped, .skipped)) == "skipped: why a")
        #expect(coverage.verdict(rule, in: log(.passed, .skipped)).hasPrefix("held (1"))
    }

    @Test("a run's rules come from its own records: the .rules notes its cases wrote, not the sources as they are now")
    func rulesFromTheRun() throws {
        let contract = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString).md")
        try Data("- `[S1.1 MUST]` one\n- `[S2.7 SHOULD]` two\n".utf8).write(to: contract)
        let id = CaseID(suite: "StagingXTests", function: "one")
        let notes = [TraceNote(kind: .rules, caseID: id, message: "S1.1 S2.7"), TraceNote(kind: .rules, caseID: id, message: "S1.1 S2.7"),
                     TraceNote(kind: .exchange, caseID: id, traceID: "t")]
        let coverage = try RuleCoverage(contract: contract, notes: notes)
        #expect(coverage.cases == ["StagingXTests/one": ["S1.1", "S2.7"]])
        #expect(coverage.cases(for: "S2.7") == ["StagingXTests/one"])
    }
}
