/// A named break of one behaviour of the contract, switched on with
/// `LOCAL_STAGING_FAULTS=name[,name…]`: `ci/prove` runs the Staging suite
/// once per fault and expects the cases of that rule to fail. A fault changes
/// one behaviour and nothing else.
public enum Fault: String, Sendable, CaseIterable {
    // Identity (§1)
    case sessionExpiresInZero = "session-expires-in-zero"
    case claimsWithoutAAL = "claims-without-aal"
    case jwksUnderAnotherKid = "jwks-under-another-kid"
    case jwksPrivateMember = "jwks-private-member"
    case userAnswersAnotherID = "user-answers-another-id"
    case refreshReuseAccepted = "refresh-reuse-accepted"
    case refreshNewSession = "refresh-new-session"
    case revocationUnchecked = "revocation-unchecked"
    case apikeyUnchecked = "apikey-unchecked"
    case badJSONAccepted = "bad-json-accepted"
    case errorShapeIgnoresVersion = "error-shape-ignores-version"
    case passwordTokenAnonymous = "password-token-anonymous"
    case wrongPasswordUnauthorized = "wrong-password-401"
    case logoutWithBody = "logout-with-body"
    // The stream and the messages API (§2)
    case traceIDNotEchoed = "trace-id-not-echoed"
    case cacheControlMaxAge = "cache-control-max-age"
    case seqGap = "seq-gap"
    case emptyFinalContent = "empty-final-content"
    case framesHeldBack = "frames-held-back"
    case framesReordered = "frames-reordered"
    case noPings = "no-pings"
    case resumeSkipsFrame = "resume-skips-frame"
    case jsonWithoutMessageID = "json-without-message-id"
    case metaSessionIsAuthSession = "meta-session-is-auth-session"
    case finalWithoutUsage = "final-without-usage"
    case conversationWithoutMessages = "conversation-without-messages"
    case conversationOwnerUnchecked = "conversation-owner-unchecked"
    case foreignConversationWritten = "foreign-conversation-written"
    // The error body and its codes (§3)
    case k1WithoutTraceID = "k1-without-trace-id"
    case noWWWAuthenticate = "no-www-authenticate"
    case malformedTokenServerError = "malformed-token-500"
    case algNoneAccepted = "alg-none-accepted"
    case signaturesUnchecked = "signatures-unchecked"
    case kidSleeps = "kid-sleeps"
    case jkuFetched = "jku-fetched"
    case leewayZero = "leeway-zero"
    case audienceUnchecked = "audience-unchecked"
    case notBeforeUnchecked = "not-before-unchecked"
    case unknownRouteOK = "unknown-route-200"
    case invalidBodyServerError = "invalid-body-500"
    // Policy and limits (§4)
    case shareAllowedToAnonymous = "share-allowed-to-anonymous"
    case adminCodeForbidden = "admin-code-policy.forbidden"
    case batchHintTryLater = "batch-hint-try-later"
    case registeredShareRefused = "registered-share-refused"
    case noRateLimit = "no-rate-limit"
    case retryAfterZero = "retry-after-zero"
    case slotKeptOnAbort = "slot-kept-on-abort"
    case slotKeptAfterEnd = "slot-kept-after-end"
    case refusalsCharged = "refusals-charged"
    case registeredAnonymousTier = "registered-anonymous-tier"
    // The database (§5)
    case finalMarkdownUpperCased = "final-markdown-upper-cased"
    case requestLogRegistered = "request-log-registered"
    case systemPromptIgnored = "system-prompt-ignored"
    case messageCountZero = "message-count-zero"
    case lastLoginNotUpdated = "last-login-not-updated"
    case noAPIErrorFor429 = "no-api-error-for-429"
    case conversationTypeRegistered = "conversation-type-registered"
    // Realtime (§6) and health (§7)
    case connectWithoutSID = "connect-without-sid"
    case socketForgedAccepted = "socket-forged-accepted"
    case corsAnyOrigin = "cors-any-origin"
    case resultBeforeThought = "result-before-thought"
    case healthDegraded = "health-degraded"

    public struct Unknown: Error, CustomStringConvertible {
        public let name: String
        public var description: String { "LOCAL_STAGING_FAULTS: no fault '\(name)' (known: \(Fault.allCases.map(\.rawValue).joined(separator: ", ")))" }
    }

    public static func parse(_ text: String) throws -> Set<Fault> {
        Set(try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { name in
            guard let fault = Fault(rawValue: name) else { throw Unknown(name: name) }
            return fault
        })
    }
}
