import Testing
import Contract

extension Trait where Self == ConditionTrait {
    /// Runs the test only when the configuration enables every capability;
    /// otherwise skips it, naming the missing variables.
    public static func requires(_ capabilities: Capability..., in configuration: Configuration = .current) -> Self {
        let missing = capabilities.compactMap { configuration.missing($0) }
        let reason = missing.map(\.description).joined(separator: "; ")
        return .enabled(if: missing.isEmpty, Comment(rawValue: reason))
    }
}

extension Trait where Self == TimeLimitTrait {
    /// A case's time limit, from the reply deadline (`ANON_E2E_REPLY_TIMEOUT`):
    /// room for `replies` replies one after the other, at least a minute.
    public static func replies(_ replies: Int, in configuration: Configuration = .current) -> Self {
        let seconds = (configuration.duration(.replyTimeout)).components.seconds * Int64(replies)
        return .timeLimit(.minutes(max(1, Int((seconds + 59) / 60))))
    }
}

/// The CONTRACT.md rules a case checks (`[S2.3 MUST]` in the text). One
/// place per case; `anon-e2e coverage` reads it from the source and REPORT.md
/// gives each rule the verdict of its cases.
public struct RulesTrait: TestTrait, SuiteTrait {
    public let ids: [String]
    public var isRecursive: Bool { false }
}

extension Trait where Self == RulesTrait {
    public static func rules(_ ids: String...) -> Self { RulesTrait(ids: ids) }
}
