/// A named break of one behaviour of the contract, switched on with
/// `LOCAL_STAGING_FAULTS=name[,name…]`: `ci/prove` runs the Staging suite
/// once per fault and expects the cases of that rule to fail. A fault changes
/// one behaviour and nothing else.
public enum Fault: String, Sendable, CaseIterable {
    // Identity (§1)
    case sessionExpiresInZero = "session-expires-in-zero"
    case sessionWithoutExpiresAt = "session-without-expires-at"
    case claimsWithoutAAL = "claims-without-aal"
    case jwksUnderAnotherKid = "jwks-under-another-kid"
    case jwksPrivateMember = "jwks-private-member"
    case userAnswersAnotherID = "user-answers-another-id"
    case refreshReuseAccepted = "refresh-reuse-accepted"
    case refreshParentRefused = "refresh-parent-refused"
    case refreshParentRotates = "refresh-parent-rotates"
    case refreshReuseKeepsSession = "refresh-reuse-keeps-session"
    case refreshNewSession = "refresh-new-session"
    case revocationUnchecked = "revocation-unchecked"
    case apikeyUnchecked = "apikey-unchecked"
    case badJSONAccepted = "bad-json-accepted"
    case errorShapeIgnoresVersion = "error-shape-ignores-version"
    case passwordTokenAnonymous = "password-token-anonymous"
    case wrongPasswordUnauthorized = "wrong-password-401"
    case logoutWithBody = "logout-with-body"
    case settingsHideAnonymous = "settings-hide-anonymous"
    case refreshedTokenRefused = "refreshed-token-refused"
    case signupWithoutSession = "signup-without-session"
    case upgradeKeepsAnonymous = "upgrade-keeps-anonymous"
    case upgradeAppRowStale = "upgrade-app-row-stale"
    // The stream and the messages API (§2)
    case traceIDNotEchoed = "trace-id-not-echoed"
    case cacheControlMaxAge = "cache-control-max-age"
    case seqGap = "seq-gap"
    case emptyFinalContent = "empty-final-content"
    case framesHeldBack = "frames-held-back"
    case framesReordered = "frames-reordered"
    case errorFrameMidStream = "error-frame-mid-stream"
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
    case missingTokenCode = "missing-token-code"
    case revokedCode = "revoked-code"
    case malformedTokenServerError = "malformed-token-500"
    case algNoneAccepted = "alg-none-accepted"
    case signaturesUnchecked = "signatures-unchecked"
    case kidSleeps = "kid-sleeps"
    case jkuFetched = "jku-fetched"
    case leewayZero = "leeway-zero"
    case audienceUnchecked = "audience-unchecked"
    case issuerUnchecked = "issuer-unchecked"
    case lockoutAfterBadTokens = "lockout-after-bad-tokens"
    case notBeforeUnchecked = "not-before-unchecked"
    case unknownRouteOK = "unknown-route-200"
    case invalidBodyServerError = "invalid-body-500"
    // Policy and limits (§4)
    case shareAllowedToAnonymous = "share-allowed-to-anonymous"
    case adminCodeForbidden = "admin-code-policy.forbidden"
    case batchHintTryLater = "batch-hint-try-later"
    case registeredShareRefused = "registered-share-refused"
    case noRateLimit = "no-rate-limit"
    case rateLimitOffByOne = "rate-limit-off-by-one"
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
    case noAPIErrorFor422 = "no-api-error-for-422"
    case conversationTypeRegistered = "conversation-type-registered"
    // Realtime (§6) and health (§7)
    case connectWithoutSID = "connect-without-sid"
    case socketForgedAccepted = "socket-forged-accepted"
    case socketRefusalOneCode = "socket-refusal-one-code"
    case corsAnyOrigin = "cors-any-origin"
    case resultBeforeThought = "result-before-thought"
    case healthDegraded = "health-degraded"
    // The stream's dialect (§2a): each breaks its dialect the way real backends do, and switches LocalStaging to it.
    case doneMissing = "openai-done-missing"
    case usageAsStrings = "openai-usage-as-strings"
    case sequenceGap = "responses-sequence-gap"
    case stopBeforeLastDelta = "anthropic-stop-before-last-delta"
    case textAfterFinish = "ai-sdk-text-after-finish"
    // Row Level Security (S4.9): the database's policies, broken for this instance's tokens.
    case rlsOthersVisible = "rls-others-visible"
    case rlsAnonymousWritesPublic = "rls-anonymous-writes-public"

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

extension Fault {
    /// What the fault breaks, in a line (LocalStaging/README.md lists them).
    public var summary: String {
        switch self {
        case .sessionExpiresInZero: "sessions say `expires_in: 0`"
        case .sessionWithoutExpiresAt: "sessions have no `expires_at`"
        case .claimsWithoutAAL: "access tokens lack the `aal` claim"
        case .jwksUnderAnotherKid: "the JWKS publishes the key under another `kid`"
        case .jwksPrivateMember: "the JWKS publishes the private `d`"
        case .userAnswersAnotherID: "`GET /auth/v1/user` answers another user id"
        case .refreshReuseAccepted: "an older spent refresh token is accepted after the reuse interval"
        case .refreshParentRefused: "reusing the parent of the active refresh token is refused (v1.1's guess, not GoTrue)"
        case .refreshParentRotates: "reusing the parent of the active refresh token issues a new one instead of answering the active one"
        case .refreshReuseKeepsSession: "an older refresh token refused after the interval leaves the session alive"
        case .refreshNewSession: "a refreshed token carries a new `session_id`"
        case .revocationUnchecked: "the API skips the session check: tokens work after sign-out"
        case .apikeyUnchecked: "`/auth/v1` calls without or with a wrong `apikey` are served"
        case .badJSONAccepted: "an empty or non-JSON sign-up body is taken as `{}`"
        case .errorShapeIgnoresVersion: "auth errors ignore `X-Supabase-Api-Version` (always the old shape)"
        case .passwordTokenAnonymous: "password users' tokens say `is_anonymous: true`"
        case .wrongPasswordUnauthorized: "a wrong password is 401, not 400 `invalid_credentials`"
        case .logoutWithBody: "sign-out answers 200 with a body, not 204"
        case .settingsHideAnonymous: "GET /auth/v1/settings says anonymous sign-ins are off while they work"
        case .upgradeKeepsAnonymous: "an anonymous user given an email keeps `is_anonymous: true`"
        case .upgradeAppRowStale: "an anonymous user made permanent still says `users.is_anonymous = true`"
        case .signupWithoutSession: "with auto-confirm on, password sign-up answers a user and no session"
        case .refreshedTokenRefused: "the API does not extend anonymous sessions: an anonymous user's token issued by a refresh is 401"
        case .traceIDNotEchoed: "responses carry a new `X-Trace-Id`, not the one sent"
        case .cacheControlMaxAge: "streams say `Cache-Control: max-age=60`"
        case .seqGap: "delta `seq` skips 2"
        case .emptyFinalContent: "`final.content` is empty"
        case .framesHeldBack: "deltas are held back and sent with `final` (meta and pings flow)"
        case .errorFrameMidStream: "an `error` frame after the first delta, and the stream goes on"
        case .framesReordered: "frames 3 and 4 are sent in the wrong order"
        case .noPings: "no `: ping` comments"
        case .resumeSkipsFrame: "a resumed stream skips the frame after `Last-Event-ID`"
        case .jsonWithoutMessageID: "the JSON answer has no `message_id`"
        case .metaSessionIsAuthSession: "`meta.session_id` is the JWT's auth session, not the chat session"
        case .finalWithoutUsage: "`final` has no `usage`"
        case .conversationWithoutMessages: "`GET /api/v1/conversations/{id}` answers its owner without messages"
        case .conversationOwnerUnchecked: "`GET /api/v1/conversations/{id}` serves anyone's conversation"
        case .foreignConversationWritten: "a message to another user's conversation is written before the 404"
        case .k1WithoutTraceID: "K1 bodies lack `trace_id`"
        case .noWWWAuthenticate: "401 answers lack `WWW-Authenticate`"
        case .missingTokenCode: "no token is 401 `auth.required`, not `auth.missing_token`"
        case .revokedCode: "a signed-out token is 401 `auth.invalid_token`, not `auth.session_revoked`"
        case .malformedTokenServerError: "a token not in three parts is a 500"
        case .algNoneAccepted: "`alg: none` tokens are accepted unsigned"
        case .signaturesUnchecked: "ES256 and HS256 signatures are never checked"
        case .kidSleeps: "a `kid` containing \"sleep\" sleeps 2 s"
        case .jkuFetched: "the `jku` URL of a token is fetched"
        case .leewayZero: "no clock leeway on `exp`"
        case .audienceUnchecked: "`aud` is not checked"
        case .issuerUnchecked: "`iss` is not checked"
        case .lockoutAfterBadTokens: "after 20 refused tokens naming a user, that user's valid tokens are refused too"
        case .notBeforeUnchecked: "`nbf` is not checked"
        case .unknownRouteOK: "unknown routes answer 200 `{}`"
        case .invalidBodyServerError: "an invalid message body is a 500, not 422 `request.invalid`"
        case .shareAllowedToAnonymous: "anonymous users may share"
        case .adminCodeForbidden: "the admin refusal's code is `policy.forbidden`"
        case .batchHintTryLater: "the anonymous batch refusal's hint is \"Try later.\""
        case .registeredShareRefused: "registered owners are refused sharing"
        case .noRateLimit: "no request-rate limit"
        case .rateLimitOffByOne: "the request rate admits one request a second fewer than the limit"
        case .retryAfterZero: "429 `rate_limit.qps` says `Retry-After: 0`"
        case .slotKeptOnAbort: "a stream's slot is kept when its client goes away"
        case .slotKeptAfterEnd: "a stream's slot comes free 3 s after its normal end"
        case .refusalsCharged: "requests refused for the rate are charged to the daily quota"
        case .registeredAnonymousTier: "registered users get the anonymous tier"
        case .finalMarkdownUpperCased: "`chat_raw.final_markdown` is stored upper-cased"
        case .requestLogRegistered: "`request_log.user_type` is always `registered`"
        case .systemPromptIgnored: "the request's `system` is ignored: the default prompt is stored"
        case .messageCountZero: "`chat_sessions.message_count` stays 0"
        case .lastLoginNotUpdated: "`users.last_login_at` is never set"
        case .noAPIErrorFor429: "429 refusals leave no `api_errors` row"
        case .noAPIErrorFor422: "422 refusals leave no `api_errors` row"
        case .conversationTypeRegistered: "anonymous users' conversations say `user_type = registered`"
        case .connectWithoutSID: "Socket.IO CONNECT is answered without a `sid`"
        case .socketForgedAccepted: "Socket.IO accepts forged tokens"
        case .socketRefusalOneCode: "Socket.IO refuses every token with one code, not the code of its cause"
        case .corsAnyOrigin: "`/ws` allows every origin"
        case .resultBeforeThought: "`agent:result` is sent before `agent:thought`"
        case .healthDegraded: "`/api/v1/healthz` answers `{\"status\":\"degraded\"}`"
        case .doneMissing: "OpenAI Chat: the stream ends without `data: [DONE]`"
        case .usageAsStrings: "OpenAI Chat: the usage chunk's token counts are strings"
        case .sequenceGap: "OpenAI Responses: a `sequence_number` is skipped"
        case .stopBeforeLastDelta: "Anthropic: `message_stop` comes before the last text delta"
        case .textAfterFinish: "AI SDK UI stream: a `text-delta` after `finish`"
        case .rlsOthersVisible: "RLS: a user sees other users' `conversations`"
        case .rlsAnonymousWritesPublic: "RLS: an anonymous user may insert into a public table (`shared_links`)"
        }
    }

    /// A fault of the database's policies (sql/schema.sql's `auth.policy_fault`), on for the tokens of
    /// this instance's issuer only: other instances on the same database keep the right policies.
    public var breaksPolicy: Bool { self == .rlsOthersVisible || self == .rlsAnonymousWritesPublic }

    /// The dialect a fault breaks: LocalStaging speaks it when the fault is on and no dialect is set.
    public var dialect: String? {
        switch self {
        case .doneMissing, .usageAsStrings: "openai-chat"
        case .sequenceGap: "openai-responses"
        case .stopBeforeLastDelta: "anthropic"
        case .textAfterFinish: "ai-sdk-ui"
        default: nil
        }
    }
}
