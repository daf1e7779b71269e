/// The error codes of CONTRACT.md §3. A team whose backend spells one
/// differently maps it in `ERROR_CODE_MAP` (`contract=team,…`); every check
/// asks the configuration for the code, never spells it itself.
public enum ContractCode: String, Sendable, CaseIterable {
    case missingToken = "auth.missing_token"
    case malformedToken = "auth.malformed_token"
    case unsupportedAlg = "auth.unsupported_alg"
    case invalidSignature = "auth.invalid_signature"
    case tokenExpired = "auth.token_expired"
    case tokenNotYetValid = "auth.token_not_yet_valid"
    case invalidAudience = "auth.invalid_audience"
    case invalidIssuer = "auth.invalid_issuer"
    case sessionRevoked = "auth.session_revoked"
    case anonymousForbidden = "policy.anonymous_forbidden"
    case adminOnly = "policy.admin_only"
    case notFound = "not_found"
    case requestInvalid = "request.invalid"
    case rateLimitQPS = "rate_limit.qps"
    case dailyQuota = "rate_limit.daily_quota"
    case streamConcurrency = "rate_limit.sse_concurrency"
}

extension Configuration {
    /// The code the backend under test uses for a contract code.
    public func code(_ code: ContractCode) -> String {
        for pair in self.text(.errorCodeMap).split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == code.rawValue { return parts[1] }
        }
        return code.rawValue
    }

    public func codes(_ codes: Set<ContractCode>) -> Set<String> { Set(codes.map(code)) }
}
