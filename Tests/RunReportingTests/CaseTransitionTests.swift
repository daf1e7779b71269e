import Foundation
import Testing
@testable import RunHistory
@testable import RunReporting

/// Allure's ideas on the history: a case's transition this run, its flaky rule, and a failure's category.
@Suite("Case transitions, the flaky rule and failure categories")
struct CaseTransitionTests {
    @Test("the transition compares with the last earlier verdict, skips passed over", arguments: [
        ("failed", [String](), CaseTransition.Change.newFailure),
        ("failed", ["passed", "failed"], .regressed),
        ("failed", ["skipped", "failed", "passed"], .stillFailing),
        ("passed", ["failed"], .fixed),
        ("passed", ["skipped", "passed"], .stillPassing),
        ("passed", [], .new),
        ("skipped", ["failed"], .skipped),
    ])
    func transition(_ verdict: String, _ earlier: [String], _ expected: CaseTransition.Change) {
        #expect(CaseTransition(verdict: verdict, earlier: earlier).change == expected)
    }

    @Test("flaky: failed now, and in its last five earlier runs a pass came before a failure")
    func flakyRule() {
        // Newest first: failed, then passed before it (oldest last).
        #expect(CaseTransition(verdict: "failed", earlier: ["failed", "passed"]).flaky)
        #expect(!CaseTransition(verdict: "failed", earlier: ["passed", "failed"]).flaky, "a failure, then a pass, then this failure: a regression")
        #expect(!CaseTransition(verdict: "failed", earlier: ["passed", "passed"]).flaky, "a first failure is not flaky")
        #expect(!CaseTransition(verdict: "passed", earlier: ["failed", "passed"]).flaky, "only a failing case is flaky")
        #expect(!CaseTransition(verdict: "failed", earlier: ["failed", "failed", "failed", "failed", "failed", "passed"]).flaky,
                "the pass is six runs back")
    }

    @Test("a broken expectation is the product's defect; a caught error, a fixture, the budget or a precondition the environment's")
    func categories() {
        #expect(FailureCategory(reason: "the stream: expected seq contiguous; got 1, 3") == .product)
        #expect(FailureCategory(reason: "first-token deadline: no text within 30 s") == .product)
        #expect(FailureCategory(reason: "Caught error: TransportError couldConnect") == .environment)
        #expect(FailureCategory(reason: "fixture 'a conversation' failed: the stream names no conversation") == .environment)
        #expect(FailureCategory(reason: "the sign-in budget is used up") == .environment)
    }

    @Test("the dashboard sets the last run against the earlier ones: transitions, the flaky rule, categories, the quality gate")
    func dashboardSection() throws {
        let history = try RunHistoryTests.temporaryHistory()
        let runs: [[String: String]] = [
            ["StagingStream/order": "passed", "StagingStream/flush": "failed", "StagingAuth/claims": "passed"],
            ["StagingStream/order": "failed", "StagingStream/flush": "failed", "StagingAuth/claims": "passed"],
            ["StagingStream/order": "failed", "StagingStream/flush": "passed", "StagingAuth/claims": "failed"],
        ]
        for (index, verdicts) in runs.enumerated() {
            try history.record(RunHistoryTests.recorded("r\(index)", at: Double(index) * 100, verdicts: verdicts))
        }
        let html = try Dashboard(history: history).html
        #expect(html.contains("The last run, against the runs before it"))
        #expect(html.contains("1 regressed, 1 fixed, 1 still failing"), "claims regressed, flush fixed, order still failing")
        #expect(html.contains("1 flaky"), "order: passed, failed, and failed again")
        #expect(html.contains("2 product defect"))
        #expect(html.contains("67 %"), "the first run's success rate: two of three")
        #expect(html.contains("3 / 3"))
    }
}
