import Testing
@testable import RunReporting

/// `ci/prove`'s judgement: a rule is proven only by a fault that names it and
/// fails a case declaring it.
@Suite("Fault proof: each MUST by a fault of its own")
struct FaultProofTests {
    // Two MUSTs and one case declaring both, as cases declare several rules.
    let coverage = RuleCoverage(
        rules: [ContractRule(id: "S5.4", level: .must, text: "final_markdown"), ContractRule(id: "S5.8", level: .must, text: "timestamps"),
                ContractRule(id: "S2.7", level: .should, text: "resume")],
        cases: ["StagingDatabaseTests/assertions": ["S5.4", "S5.8"], "StagingStreamTests/reconnect": ["S2.7"]])

    @Test("a fault of one rule does not prove another its failing case also declares")
    func unrelatedFaultProvesNothing() {
        let faults = FaultProof.Fault.parse(list: "final-markdown-upper-cased\tS5.4\tupper-cased\n")
        let proof = FaultProof(faults: faults, failing: ["final-markdown-upper-cased": ["StagingDatabaseTests/assertions"]], coverage: coverage)
        #expect(proof.verdict(faults[0]) == .proves(["S5.4"]))
        #expect(proof.unprovenMUSTs.map(\.id) == ["S5.8"])
        #expect(proof.misses.isEmpty)
    }

    @Test("a fault that fails only other rules' cases, survives, or names no rule is a miss")
    func misses() {
        let faults = FaultProof.Fault.parse(list: "timestamps-backwards\tS5.8\tbackwards\nresume-skips-frame\tS2.7\tskips\nquiet\t\tnothing\nmystery\tS9.9\t?\n")
        let proof = FaultProof(faults: faults, failing: ["timestamps-backwards": ["StagingStreamTests/reconnect"], "quiet": ["StagingStreamTests/reconnect"]],
                               coverage: coverage)
        #expect(faults.map(\.rules) == [["S5.8"], ["S2.7"], [], ["S9.9"]])
        #expect(proof.verdict(faults[0]) == .offRule)
        #expect(proof.verdict(faults[1]) == .survived)
        #expect(proof.verdict(faults[2]) == .namesNoRule)
        #expect(proof.verdict(faults[3]) == .namesNoRule)
        #expect(proof.misses.map(\.name) == ["timestamps-backwards", "resume-skips-frame", "quiet", "mystery"])
        #expect(proof.unprovenMUSTs.map(\.id) == ["S5.4", "S5.8"])
    }

    @Test("each MUST proven by its own fault: nothing unproven, and the provers are listed per rule")
    func everyMUSTProven() {
        let faults = FaultProof.Fault.parse(list: "final-markdown-upper-cased\tS5.4\tx\ntimestamps-backwards\tS5.8\ty\n")
        let failing: Set<String> = ["StagingDatabaseTests/assertions"]
        let proof = FaultProof(faults: faults, failing: ["final-markdown-upper-cased": failing, "timestamps-backwards": failing], coverage: coverage)
        #expect(proof.unprovenMUSTs.isEmpty)
        #expect(proof.provers == ["S5.4": ["final-markdown-upper-cased"], "S5.8": ["timestamps-backwards"]])
    }
}
