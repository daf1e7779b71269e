import Foundation
import Protocols

/// One variable of the suite's configuration: its name, its type, and its one
/// default (the contract's value), written here and nowhere else.
/// `.env.example` documents every key here (a test checks it). A value of the
/// wrong type stops the run when the configuration is loaded, naming the
/// variable and the value; `Configuration`'s typed accessors read it after that.
public struct ConfigurationKey: Sendable, Hashable, CustomStringConvertible {
    /// What a value must be.
    public enum Kind: Sendable, Hashable {
        case text
        /// One of these words.
        case oneOf([String])
        /// A whole number.
        case integer
        /// Seconds, fractions allowed.
        case seconds
        /// true/false, 1/0, yes/no, on/off.
        case boolean
    }

    public let name: String
    public let defaultValue: String?
    public let kind: Kind
    /// Its value is a secret: the evidence redactor masks it everywhere.
    public let isSecret: Bool

    public init(_ name: String, default defaultValue: String? = nil, _ kind: Kind = .text, secret: Bool = false) {
        self.name = name
        self.defaultValue = defaultValue
        self.kind = kind
        self.isSecret = secret
    }

    public var description: String { name }
}

extension ConfigurationKey {
    // Where the backend is.
    public static let supabaseURL = ConfigurationKey("SUPABASE_URL")
    public static let supabaseAnonKey = ConfigurationKey("SUPABASE_ANON_KEY", secret: true)
    public static let apiBase = ConfigurationKey("API_BASE")
    public static let dbConn = ConfigurationKey("DB_CONN", secret: true)
    public static let supabaseJWTSecret = ConfigurationKey("SUPABASE_JWT_SECRET", secret: true)
    public static let signingJWK = ConfigurationKey("ANON_E2E_SIGNING_JWK", secret: true)
    /// Never needed by the suite; named so that, when it is in the environment, it is masked and scanned for.
    public static let serviceRoleKey = ConfigurationKey("SUPABASE_SERVICE_ROLE_KEY", secret: true)

    // Paths (CONTRACT.md §2, §4, §6, §7).
    public static let messagesPath = ConfigurationKey("MESSAGES_PATH", default: "/api/v1/messages")
    public static let batchPath = ConfigurationKey("BATCH_PATH", default: "/api/v1/messages/batch")
    public static let sharePath = ConfigurationKey("SHARE_PATH", default: "/api/v1/conversations/{id}/share")
    public static let conversationPath = ConfigurationKey("CONVERSATION_PATH", default: "/api/v1/conversations/{id}")
    public static let adminPath = ConfigurationKey("ADMIN_PATH", default: "/api/v1/admin/users")
    public static let healthPath = ConfigurationKey("HEALTH_PATH", default: "/api/v1/healthz")
    public static let socketPath = ConfigurationKey("SOCKET_PATH", default: "/ws")

    // The stream (CONTRACT.md §2).
    public static let eventMeta = ConfigurationKey("SSE_EVENT_META", default: "meta")
    public static let eventDelta = ConfigurationKey("SSE_EVENT_DELTA", default: "delta")
    public static let eventFinal = ConfigurationKey("SSE_EVENT_FINAL", default: "final")
    public static let eventError = ConfigurationKey("SSE_EVENT_ERROR", default: "error")
    public static let pingInterval = ConfigurationKey("SSE_PING_INTERVAL", default: "15", .seconds)
    public static let resumeSupported = ConfigurationKey("SSE_RESUME_SUPPORTED", default: "false", .boolean)
    /// The stream's wire format (CONTRACT §2a): the contract's own frames, or one of the AI formats.
    public static let streamDialect = ConfigurationKey("STREAM_DIALECT", default: "native", .oneOf(StreamDialects.names))
    /// `custom`'s mapping, as JSON: `{"text": "<path>", "terminal": "[DONE]" | "event=<name>" | "<path>=<value>", …}`.
    public static let streamDialectMapping = ConfigurationKey("STREAM_DIALECT_MAPPING")
    /// The request body, a JSON template: {{prompt}}, {{system}}, {{conversation_id}}, {{model}}, {{stream}}
    /// filled in; unset, the dialect's usual body.
    public static let requestTemplate = ConfigurationKey("REQUEST_TEMPLATE")
    /// The `model` a dialect's body names.
    public static let model = ConfigurationKey("MODEL", default: "default")

    // Policy and limits (CONTRACT.md §3, §4).
    public static let batchStatus = ConfigurationKey("BATCH_EXPECTED_STATUS", default: "403", .integer)
    public static let anonymousQPS = ConfigurationKey("ANON_QPS_LIMIT", default: "5", .integer)
    public static let anonymousDailyQuota = ConfigurationKey("ANON_DAILY_QUOTA", default: "1000", .integer)
    public static let anonymousStreams = ConfigurationKey("ANON_SSE_CONCURRENCY", default: "2", .integer)
    public static let jwtLeeway = ConfigurationKey("JWT_LEEWAY", default: "30", .integer)
    /// Seconds GoTrue still answers an older spent refresh token with the active one (Supabase: 10).
    public static let refreshReuseInterval = ConfigurationKey("REFRESH_REUSE_INTERVAL", default: "10", .seconds)
    /// hosted, cli, self-hosted or custom: the defaults of the settings below that differ by deployment.
    public static let supabaseDeployment = ConfigurationKey("SUPABASE_DEPLOYMENT", default: "hosted",
                                                           .oneOf(SupabaseDeployment.allCases.map(\.rawValue)))
    /// Whether the gateway in front of /auth/v1 refuses a missing or wrong apikey (S1.1); the CLI's does not.
    public static let apikeyChecked = ConfigurationKey("APIKEY_CHECKED", default: "true", .boolean)
    /// The gateway's `message` for a request without an apikey, and for a wrong one.
    public static let apikeyMissingMessage = ConfigurationKey("APIKEY_MISSING_MESSAGE", default: "No API key found in request")
    public static let apikeyWrongMessage = ConfigurationKey("APIKEY_WRONG_MESSAGE", default: "Invalid API key")
    /// The `iss` of every access token: empty for `<SUPABASE_URL>/auth/v1`, `none` for
    /// a GoTrue that sends none (self-hosted without GOTRUE_JWT_ISSUER).
    public static let jwtIssuer = ConfigurationKey("JWT_ISSUER")
    /// Anonymous sign-ins a run may make (S1.18): hosted allows 30 an hour per IP.
    public static let signInBudget = ConfigurationKey("ANON_E2E_SIGNIN_BUDGET", default: "8", .integer)
    /// A file (outside artifacts/) where the run's anonymous users are kept for the next run.
    public static let identityCache = ConfigurationKey("ANON_E2E_IDENTITY_CACHE")
    /// A pre-confirmed password account, for a project with "Confirm email" on (hosted's default),
    /// where sign-up gives no session.
    public static let registeredEmail = ConfigurationKey("ANON_E2E_REGISTERED_EMAIL")
    public static let registeredPassword = ConfigurationKey("ANON_E2E_REGISTERED_PASSWORD", secret: true)
    /// Sent as `gotrue_meta_security.captcha_token` when the project has captcha on (a provider's test token).
    public static let captchaToken = ConfigurationKey("ANON_E2E_CAPTCHA_TOKEN", secret: true)
    public static let revocationChecked = ConfigurationKey("SESSION_REVOCATION_CHECKED", default: "false", .boolean)
    /// The team declares Row Level Security for anonymous users (S4.9), and DB_CONN's role may `SET ROLE authenticated`.
    public static let rlsChecked = ConfigurationKey("RLS_CHECKED", default: "false", .boolean)
    /// Tables anyone may read and no anonymous user may write (comma-separated): an insert is refused with 42501.
    public static let rlsPublicTables = ConfigurationKey("RLS_PUBLIC_TABLES")
    public static let corsOrigins = ConfigurationKey("CORS_ORIGINS", default: "http://localhost:3000,http://localhost:8000")
    public static let errorCodeMap = ConfigurationKey("ERROR_CODE_MAP")
    /// Registered users the suite signs up (a few a run) get addresses under this domain.
    public static let registeredEmailDomain = ConfigurationKey("REGISTERED_EMAIL_DOMAIN", default: "anon-e2e.test")
    /// The server's default system prompt, when the team states it: the stored `system` row must equal it.
    public static let defaultSystemPrompt = ConfigurationKey("DEFAULT_SYSTEM_PROMPT")

    // Deadlines, by phase (seconds). A real model takes seconds to the first token
    // and tens of seconds per reply: these bound what a correct backend may take.
    public static let connectTimeout = ConfigurationKey("ANON_E2E_CONNECT_TIMEOUT", default: "10", .seconds)
    public static let firstByteTimeout = ConfigurationKey("ANON_E2E_FIRST_BYTE_TIMEOUT", default: "30", .seconds)
    public static let firstTokenTimeout = ConfigurationKey("ANON_E2E_FIRST_TOKEN_TIMEOUT", default: "60", .seconds)
    public static let idleTimeout = ConfigurationKey("ANON_E2E_IDLE_TIMEOUT", default: "45", .seconds)
    public static let replyTimeout = ConfigurationKey("ANON_E2E_REPLY_TIMEOUT", default: "120", .seconds)
    /// A prompt whose reply is long enough to need pings (the heartbeat case).
    public static let longPrompt = ConfigurationKey("ANON_E2E_LONG_PROMPT", default: String(repeating: "tell me a long story about streams and heartbeats. ", count: 8)
        .trimmingCharacters(in: .whitespaces))
    /// A prompt that makes the backend fail after its stream began (S2.4); without it that rule is not exercised.
    public static let failPrompt = ConfigurationKey("ANON_E2E_FAIL_PROMPT")
    /// A prompt whose reply outgrows the socket buffers (megabytes), so that a stalled reader holds the server up;
    /// without it the backpressure case reads the long prompt's reply and is skipped when that one is too small.
    public static let largeReplyPrompt = ConfigurationKey("ANON_E2E_LARGE_REPLY_PROMPT")

    // The verdict.
    public static let strict = ConfigurationKey("ANON_E2E_STRICT", default: "0", .boolean)
    /// What the target is, for the first line of every output: `staging` or `local stack`.
    public static let targetKind = ConfigurationKey("ANON_E2E_TARGET", default: "staging")
    public static let allowSkip = ConfigurationKey("ANON_E2E_ALLOW_SKIP")
    public static let capabilities = ConfigurationKey("ANON_E2E_CAPABILITIES", default: "auth,api,database")
    /// An address of this machine the staging can reach, for the jku/x5u lure.
    public static let lureURL = ConfigurationKey("ANON_E2E_LURE_URL")
    /// A request that makes the backend fetch a URL (`METHOD /path` with `{url}`, e.g. a link preview): the proof
    /// that it can reach the lure, without which "never fetched" is not exercised.
    public static let lureControl = ConfigurationKey("ANON_E2E_LURE_CONTROL")
    /// Where the test process leaves the hashes of the tokens it handled for `anon-e2e scan-secrets` (ci/e2e sets it, outside artifacts/).
    public static let fingerprints = ConfigurationKey("ANON_E2E_FINGERPRINTS")

    // The suite itself.
    public static let artifactsDirectory = ConfigurationKey("ANON_E2E_ARTIFACTS", default: "artifacts")
    public static let runID = ConfigurationKey("ANON_E2E_RUN_ID")
    /// TLS to the target, on every request (auth, JWKS, API, Socket.IO, health, load, Postman replay): a private CA,
    /// and a client certificate with its key where a gateway asks for one (mutual TLS). Files in PEM.
    public static let caBundle = ConfigurationKey("ANON_E2E_CA_BUNDLE")
    public static let clientCertificate = ConfigurationKey("ANON_E2E_CLIENT_CERT")
    public static let clientKey = ConfigurationKey("ANON_E2E_CLIENT_KEY")
    /// What every request accepts, as a browser's fetch asks (libcurl decodes it); `identity` asks for none.
    public static let acceptEncoding = ConfigurationKey("ANON_E2E_ACCEPT_ENCODING", default: "gzip, deflate, br")
    /// How long a read of what a message persisted (rows, the conversation, request_log) waits for it after the reply.
    public static let persistTimeout = ConfigurationKey("ANON_E2E_PERSIST_TIMEOUT", default: "5", .seconds)
    public static let requestTimeout = ConfigurationKey("ANON_E2E_REQUEST_TIMEOUT", default: "30", .seconds)

    // History, metrics and the daily run.
    /// The run history's SQLite file.
    public static let historyPath = ConfigurationKey("ANON_E2E_HISTORY", default: "artifacts/history.sqlite")
    /// A Prometheus Pushgateway that receives each run's metrics.
    public static let pushgatewayURL = ConfigurationKey("ANON_E2E_PUSHGATEWAY_URL")
    /// The Prometheus that scrapes the staging (capability `observability`): StagingObservability asks it what the backend exported.
    public static let prometheusURL = ConfigurationKey("ANON_E2E_PROMETHEUS_URL")
    /// The label matchers that pick the staging's own series out of that Prometheus (e.g. `job="staging-api"`).
    public static let prometheusSelector = ConfigurationKey("ANON_E2E_PROMETHEUS_SELECTOR", default: "")
    /// The backend's request counter, with a `user_type` label.
    public static let requestsMetric = ConfigurationKey("ANON_E2E_METRIC_REQUESTS", default: "http_requests_total")
    /// The backend's K1 refusal counter, with a `code` label.
    public static let refusalsMetric = ConfigurationKey("ANON_E2E_METRIC_REFUSALS", default: "api_errors_total")
    /// The alert rules that must be loaded in that Prometheus, comma-separated (default: the ones observability/alerts.yml ships).
    public static let alertRules = ConfigurationKey("ANON_E2E_ALERT_RULES",
                                                    default: "AnonE2ENightlyFailedTwice,AnonE2ESSEConnectionsHigh,AnonE2ETokenRefusalsSpike")
    /// How long the run's requests may take to show in Prometheus (a scrape interval or two).
    public static let prometheusWait = ConfigurationKey("ANON_E2E_PROMETHEUS_WAIT", default: "60", .seconds)
    /// The daily run's request text.
    public static let dailyPrompt = ConfigurationKey("E2E_DAILY_PROMPT", default: "Hello! This is the daily end-to-end check. Please answer in one sentence.")
    /// The daily run's system prompt (unset: the server's default).
    public static let dailySystemPrompt = ConfigurationKey("E2E_SYSTEM_PROMPT")
    /// The daily run's registered user (unset: one is signed up under REGISTERED_EMAIL_DOMAIN).
    public static let dailyEmail = ConfigurationKey("E2E_DAILY_EMAIL")
    public static let dailyPassword = ConfigurationKey("E2E_DAILY_PASSWORD", secret: true)

    /// Every key, in the order `.env.example` documents them.
    public static let all: [ConfigurationKey] = [
        supabaseURL, supabaseAnonKey, apiBase, dbConn, supabaseJWTSecret, signingJWK, serviceRoleKey,
        messagesPath, batchPath, sharePath, conversationPath, adminPath, healthPath, socketPath,
        eventMeta, eventDelta, eventFinal, eventError, pingInterval, resumeSupported, streamDialect, streamDialectMapping, requestTemplate, model,
        batchStatus, anonymousQPS, anonymousDailyQuota, anonymousStreams, jwtLeeway, refreshReuseInterval, revocationChecked, rlsChecked, rlsPublicTables,
        corsOrigins, errorCodeMap,
        supabaseDeployment, apikeyChecked, apikeyMissingMessage, apikeyWrongMessage, jwtIssuer, signInBudget, identityCache, captchaToken,
        registeredEmail, registeredPassword,
        registeredEmailDomain, defaultSystemPrompt,
        artifactsDirectory, runID, caBundle, clientCertificate, clientKey, acceptEncoding, requestTimeout, persistTimeout,
        connectTimeout, firstByteTimeout, firstTokenTimeout, idleTimeout, replyTimeout, longPrompt, failPrompt, largeReplyPrompt,
        strict, targetKind, allowSkip, capabilities, lureURL, lureControl, fingerprints,
        prometheusURL, prometheusSelector, requestsMetric, refusalsMetric, alertRules, prometheusWait,
        historyPath, pushgatewayURL, dailyPrompt, dailySystemPrompt, dailyEmail, dailyPassword,
    ]
}
