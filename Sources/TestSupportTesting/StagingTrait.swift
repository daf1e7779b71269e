import Testing
import TestSupport

extension Trait where Self == ConditionTrait {
    /// Runs the test only when the configuration enables every capability;
    /// otherwise skips it, naming the missing variables.
    public static func requires(_ capabilities: Capability..., in configuration: Configuration = .current) -> Self {
        let missing = capabilities.compactMap { configuration.missing($0) }
        let reason = missing.map(\.description).joined(separator: "; ")
        return .enabled(if: missing.isEmpty, Comment(rawValue: reason))
    }
}
