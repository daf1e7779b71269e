/// How a case's verdict in a run compares with its earlier runs of the same
/// kind against the same target, as Allure names it: what changed, whether it
/// is flaky by Allure's rule, and which kind of defect a failure is.
public struct CaseTransition: Sendable, Equatable {
    public enum Change: String, Sendable {
        /// Failed, and never ran before.
        case newFailure = "new failure"
        /// Failed; passed the time before.
        case regressed
        /// Passed; failed the time before.
        case fixed
        case stillFailing = "still failing"
        case stillPassing = "still passing"
        /// Passed, and never ran before.
        case new
        /// Skipped: no verdict to compare.
        case skipped
    }

    public let change: Change
    /// Allure's rule: failed now, and among the last five earlier runs a pass came before a failure.
    public let flaky: Bool

    /// - Parameters:
    ///   - verdict: passed, failed or skipped, in this run.
    ///   - earlier: its verdicts in the earlier runs, newest first (skips included; they are passed over).
    public init(verdict: String, earlier: [String]) {
        let judged = earlier.filter { $0 != "skipped" }
        switch (verdict, judged.first) {
        case ("skipped", _): change = .skipped
        case ("failed", nil): change = .newFailure
        case ("failed", "passed"): change = .regressed
        case ("failed", _): change = .stillFailing
        case (_, nil): change = .new
        case (_, "failed"): change = .fixed
        default: change = .stillPassing
        }
        let window = Array(earlier.prefix(5).reversed())
        let firstPass = window.firstIndex(of: "passed")
        flaky = verdict == "failed" && firstPass.map { window[$0...].contains("failed") } == true
    }
}

/// Allure's categories: a failure is the product's (a contract rule broken) or
/// the test's and its environment's (the transport, a fixture, the budget, a
/// precondition): the second is fixed elsewhere, and must not be read as the first.
public enum FailureCategory: String, Sendable, CaseIterable {
    case product = "product defect"
    case environment = "test or environment defect"

    /// Read from the failure's reason: the transport's, a fixture's and the run's own words are the environment's.
    public init(reason: String) {
        let lowered = reason.lowercased()
        // An error the case caught (Swift Testing's "Caught error") broke the case, as Allure's "broken" does;
        // an expectation that failed (a deadline the backend missed included) is the product's.
        let environment = ["caught error", "transporterror", "could not connect", "connection refused", "fixture", "budget",
                           "precondition", "not set (set it", "did not run"]
        self = environment.contains { lowered.contains($0) } ? .environment : .product
    }
}
