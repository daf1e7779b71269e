import Foundation

/// Everything LocalStaging can be told, from its environment. Every limit of
/// CONTRACT.md §4 is a variable here, with the contract's value as default.
public struct Settings: Sendable {
    public struct Tier: Sendable, Equatable {
        public var requestsPerSecond: Int
        public var dailyMessages: Int
        public var openStreams: Int
    }

    public var host: String
    public var port: Int
    public var publicURL: String
    public var databaseURL: String
    public var anonKey: String
    public var legacyJWTSecret: String?
    public var signingKeyFile: String?
    public var accessTokenTTL: Int
    public var leeway: Int
    public var anonymous: Tier
    public var registered: Tier
    /// Anonymous sign-ins per IP: a token bucket of this size, refilled at this many an hour (GoTrue's).
    public var anonymousSignupsPerHour: Int
    /// Which Supabase deployment's gateway and GoTrue it behaves like (`SUPABASE_DEPLOYMENT`).
    public var deployment: String
    /// Whether the gateway checks the apikey on /auth/v1 (the CLI's does not).
    public var apikeyChecked: Bool
    /// The gateway's message for a wrong apikey (self-hosted Kong has its own).
    public var apikeyWrongMessage: String
    /// Sign-up answers a session at once (false: hosted's "Confirm email", a user and no session).
    public var mailerAutoconfirm: Bool
    /// A confirmed password account (REGISTERED_ACCOUNT_EMAIL, _PASSWORD), for a project with confirmation on.
    public var registeredAccount: (email: String, password: String)?
    /// With captcha on, the one token that passes (a provider's test token); nil: captcha off.
    public var captchaToken: String?
    /// The `iss` of the tokens it issues and checks; nil: none (self-hosted without GOTRUE_JWT_ISSUER).
    public var issuer: String?
    public var anonymousSignInsEnabled: Bool
    public var refreshReuseInterval: Int
    /// Whether a reconnect with `Last-Event-ID` resumes the stream (S2.7, a MAY).
    public var resumeSupported: Bool
    public var pingInterval: Duration
    /// Whether a frame restarts the ping timer (pings only in silences) or pings keep their own beat.
    public var pingResetsOnFrame: Bool
    /// The model's time to its first token, after `meta` has left.
    public var firstTokenDelay: Duration
    public var tokenDelay: Duration
    public var streamRetention: Duration
    /// How long after the reply it writes what the reply persists (`PERSIST_DELAY_MS`): the assistant's
    /// rows and the request's log rows, in a task after `final`, as a FastAPI background task does. Zero: before it.
    public var persistDelay: Duration
    public var batchPolicy: Int
    public var corsOrigins: [String]
    public var adminEmails: Set<String>
    public var model: String
    /// The wire format of its streams (`STREAM_DIALECT`): native, openai-chat, openai-responses, anthropic, ai-sdk-ui.
    public var dialect: String
    public var defaultSystemPrompt: String
    /// A message with this content fails after its first delta (`FAIL_PROMPT`): an error frame, then the close (S2.4).
    public var failPrompt: String
    /// A message with this content is answered with a reply of `LARGE_REPLY_BYTES` in 64 KiB deltas, with no
    /// delay between them: a reply that outgrows every socket buffer, so a stalled reader meets backpressure.
    public var largeReplyPrompt: String
    public var largeReplyBytes: Int
    /// Behaviours broken on purpose (`LOCAL_STAGING_FAULTS`), for `ci/prove`.
    public var faults: Set<Fault>

    public func has(_ fault: Fault) -> Bool { faults.contains(fault) }

    public struct Missing: Error, CustomStringConvertible {
        public let name: String
        public var description: String { "\(name) is not set" }
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let name: String
        public let value: String
        public let expected: [String]
        public var description: String { "\(name)=\(value) is not one of \(expected.joined(separator: ", "))" }
    }

    public init(environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        func string(_ name: String, _ fallback: String? = nil) throws -> String {
            if let value = env[name], !value.isEmpty { return value }
            if let fallback { return fallback }
            throw Missing(name: name)
        }
        func int(_ name: String, _ fallback: Int) -> Int { env[name].flatMap { Int($0) } ?? fallback }
        func seconds(_ name: String, _ fallback: Double) -> Duration {
            .milliseconds(Int64((env[name].flatMap { Double($0) } ?? fallback) * 1000))
        }
        host = try string("HOST", "127.0.0.1")
        port = int("PORT", 8080)
        publicURL = try string("PUBLIC_URL", "http://\(host):\(port)")
        databaseURL = try string("DATABASE_URL")
        anonKey = try string("ANON_KEY")
        legacyJWTSecret = env["JWT_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        signingKeyFile = env["SIGNING_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        accessTokenTTL = int("ACCESS_TOKEN_TTL", 3600)
        leeway = int("JWT_LEEWAY", 30)
        anonymous = Tier(requestsPerSecond: int("ANON_QPS_LIMIT", 5), dailyMessages: int("ANON_DAILY_QUOTA", 1000),
                         openStreams: int("ANON_SSE_CONCURRENCY", 2))
        registered = Tier(requestsPerSecond: int("REGISTERED_QPS_LIMIT", 50), dailyMessages: int("REGISTERED_DAILY_QUOTA", 100_000),
                          openStreams: int("REGISTERED_SSE_CONCURRENCY", 20))
        anonymousSignupsPerHour = int("ANON_SIGNUPS_PER_HOUR", 10_000)
        anonymousSignInsEnabled = (env["ANONYMOUS_SIGNINS_ENABLED"] ?? "true") != "false"
        deployment = try string("SUPABASE_DEPLOYMENT", "hosted")
        apikeyChecked = (env["APIKEY_CHECKED"].flatMap { $0.isEmpty ? nil : $0 } ?? (deployment == "cli" ? "false" : "true")) != "false"
        apikeyWrongMessage = try string("APIKEY_WRONG_MESSAGE", deployment == "self-hosted" ? "Invalid authentication credentials" : "Invalid API key")
        mailerAutoconfirm = env["MAILER_AUTOCONFIRM"] != "false"
        if let email = env["REGISTERED_ACCOUNT_EMAIL"], !email.isEmpty, let password = env["REGISTERED_ACCOUNT_PASSWORD"], !password.isEmpty {
            registeredAccount = (email, password)
        }
        captchaToken = env["CAPTCHA_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        switch env["JWT_ISSUER"] ?? "" {
        case "": issuer = deployment == "self-hosted" ? nil : publicURL + "/auth/v1"
        case "none": issuer = nil
        case let declared: issuer = declared
        }
        refreshReuseInterval = int("REFRESH_REUSE_INTERVAL", 0)
        resumeSupported = env["SSE_RESUME_SUPPORTED"] != "false"
        pingInterval = seconds("SSE_PING_INTERVAL", 15)
        tokenDelay = .milliseconds(int("TOKEN_DELAY_MS", 30))
        firstTokenDelay = .milliseconds(int("FIRST_TOKEN_DELAY_MS", 0))
        pingResetsOnFrame = env["SSE_PING_RESET_ON_FRAME"] == "true"
        streamRetention = seconds("STREAM_RETENTION", 60)
        persistDelay = .milliseconds(int("PERSIST_DELAY_MS", 0))
        batchPolicy = int("BATCH_POLICY", 403)
        corsOrigins = (env["CORS_ORIGINS"] ?? "http://localhost:3000,http://localhost:8000").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        adminEmails = Set((env["ADMIN_EMAILS"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        model = try string("MODEL_NAME", "local-echo-1")
        defaultSystemPrompt = try string("SYSTEM_PROMPT", "You are a helpful assistant.")
        failPrompt = try string("FAIL_PROMPT", "please fail after the first token")
        largeReplyPrompt = try string("LARGE_REPLY_PROMPT", "please answer with a very large reply")
        largeReplyBytes = int("LARGE_REPLY_BYTES", 6 << 20)
        faults = try Fault.parse(env["LOCAL_STAGING_FAULTS"] ?? "")
        dialect = try string("STREAM_DIALECT", faults.compactMap(\.dialect).first ?? "native")
        guard DialectEncoder.names.contains(dialect) else { throw Invalid(name: "STREAM_DIALECT", value: dialect, expected: DialectEncoder.names) }
        // Resume replays §2's numbered frames; the other dialects carry no ids to resume after.
        if dialect != "native" { resumeSupported = false }
    }
}
