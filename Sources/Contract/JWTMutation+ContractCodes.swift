import Protocols
extension JWTMutation {
    /// The codes of CONTRACT.md §3 that name this mutation's cause. Where two
    /// checks could catch it first (an HS256 token is an unsupported alg for a
    /// backend without the legacy secret, a bad signature for one with it), both are right.
    public var expectedCodes: Set<ContractCode> {
        switch kind {
        case .brokenSignature: [.invalidSignature, .malformedToken]
        case .changedPayload, .foreignKey: [.invalidSignature]
        case .algNone: [.unsupportedAlg]
        case .weakSecret, .algorithmConfusion, .kidInjection: [.invalidSignature, .unsupportedAlg]
        case .psychicSignature: name.contains("DER") ? [.invalidSignature, .malformedToken] : [.invalidSignature]
        case .headerTricks: name.contains("crit") ? [.malformedToken, .invalidSignature] : [.invalidSignature]
        case .malformed: name == "empty token" ? [.missingToken, .malformedToken] : [.malformedToken]
        case .claimTypes: [.invalidSignature, .malformedToken]
        }
    }
}
