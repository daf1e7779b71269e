/// One variable of the suite's configuration, with the contract's value as
/// its default. `.env.example` documents every key here (a test checks it).
public struct ConfigurationKey: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let defaultValue: String?
    /// Its value is a secret: the evidence redactor masks it everywhere.
    public let isSecret: Bool

    public init(_ name: String, default defaultValue: String? = nil, secret: Bool = false) {
        self.name = name
        self.defaultValue = defaultValue
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

    // Paths (CONTRACT.md §2, §4, §6, §7).
    public static let messagesPath = ConfigurationKey("MESSAGES_PATH", default: "/api/v1/messages")
    public static let batchPath = ConfigurationKey("BATCH_PATH", default: "/api/v1/messages/batch")
    public static let sharePath = ConfigurationKey("SHARE_PATH", default: "/api/v1/conversations/{id}/share")
    public static let adminPath = ConfigurationKey("ADMIN_PATH", default: "/api/v1/admin/users")
    public static let healthPath = ConfigurationKey("HEALTH_PATH", default: "/api/v1/healthz")
    public static let socketPath = ConfigurationKey("SOCKET_PATH", default: "/ws")

    // The stream (CONTRACT.md §2).
    public static let eventMeta = ConfigurationKey("SSE_EVENT_META", default: "meta")
    public static let eventDelta = ConfigurationKey("SSE_EVENT_DELTA", default: "delta")
    public static let eventFinal = ConfigurationKey("SSE_EVENT_FINAL", default: "final")
    public static let eventError = ConfigurationKey("SSE_EVENT_ERROR", default: "error")
    public static let pingInterval = ConfigurationKey("SSE_PING_INTERVAL", default: "15")
    public static let resumeSupported = ConfigurationKey("SSE_RESUME_SUPPORTED", default: "false")

    // Policy and limits (CONTRACT.md §3, §4).
    public static let batchStatus = ConfigurationKey("BATCH_EXPECTED_STATUS", default: "403")
    public static let anonymousQPS = ConfigurationKey("ANON_QPS_LIMIT", default: "5")
    public static let anonymousDailyQuota = ConfigurationKey("ANON_DAILY_QUOTA", default: "1000")
    public static let anonymousStreams = ConfigurationKey("ANON_SSE_CONCURRENCY", default: "2")
    public static let jwtLeeway = ConfigurationKey("JWT_LEEWAY", default: "30")
    public static let revocationChecked = ConfigurationKey("SESSION_REVOCATION_CHECKED", default: "true")
    public static let corsOrigins = ConfigurationKey("CORS_ORIGINS", default: "http://localhost:3000,http://localhost:8000")

    // The suite itself.
    public static let artifactsDirectory = ConfigurationKey("ANON_E2E_ARTIFACTS", default: "artifacts")
    public static let runID = ConfigurationKey("ANON_E2E_RUN_ID")
    public static let caBundle = ConfigurationKey("ANON_E2E_CA_BUNDLE")
    public static let requestTimeout = ConfigurationKey("ANON_E2E_REQUEST_TIMEOUT", default: "30")

    /// Every key, in the order `.env.example` documents them.
    public static let all: [ConfigurationKey] = [
        supabaseURL, supabaseAnonKey, apiBase, dbConn, supabaseJWTSecret, signingJWK,
        messagesPath, batchPath, sharePath, adminPath, healthPath, socketPath,
        eventMeta, eventDelta, eventFinal, eventError, pingInterval, resumeSupported,
        batchStatus, anonymousQPS, anonymousDailyQuota, anonymousStreams, jwtLeeway, revocationChecked, corsOrigins,
        artifactsDirectory, runID, caBundle, requestTimeout,
    ]
}
