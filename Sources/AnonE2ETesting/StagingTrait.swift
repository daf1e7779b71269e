import Testing
import Contract
import Evidence

extension Trait where Self == ConditionTrait {
    /// Runs the test only when the configuration enables every capability;
    /// otherwise skips it, naming the missing variables.
    public static func requires(_ capabilities: Capability..., in configuration: Configuration = StagingContext.process.configuration) -> Self {
        let missing = capabilities.compactMap { configuration.missing($0) }
        let reason = missing.map(\.description).joined(separator: "; ")
        return .enabled(if: missing.isEmpty, Comment(rawValue: reason))
    }
}

extension Trait where Self == TimeLimitTrait {
    /// A case's time limit, from the reply deadline (`ANON_E2E_REPLY_TIMEOUT`):
    /// room for `replies` replies one after the other, at least a minute.
    public static func replies(_ replies: Int, in configuration: Configuration = StagingContext.process.configuration) -> Self {
        let seconds = (configuration.duration(.replyTimeout)).components.seconds * Int64(replies)
        return .timeLimit(.minutes(max(1, Int((seconds + 59) / 60))))
    }
}

/// The CONTRACT.md rules a case checks (`[S2.3 MUST]` in the text). One
/// place per case. Around the case it writes the ids into the run's own
/// records (a `rules` note), so REPORT.md and the history give each rule the
/// verdict of the cases that ran it; `anon-e2e coverage` reads them from the
/// source, without a run.
public struct RulesTrait: TestTrait, SuiteTrait, TestScoping {
    public let ids: [String]
    public var isRecursive: Bool { false }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        if !test.isSuite, let caseID = CaseID(testID: test.id.description) {
            Staging.evidence.note(TraceNote(kind: .rules, caseID: caseID, message: ids.joined(separator: " ")))
        }
        try await function()
    }
}

extension Trait where Self == RulesTrait {
    public static func rules(_ ids: String...) -> Self { RulesTrait(ids: ids) }
}
