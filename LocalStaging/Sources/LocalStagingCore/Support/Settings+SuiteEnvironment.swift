import Foundation

extension Settings {
    /// The suite's environment for a LocalStaging with these settings, in the
    /// suite's own variable names: where it is, its keys, the limits it
    /// enforces and what it can be asked. `local-staging --suite-env` prints it,
    /// so no script maps one side's names to the other's. The read-only database
    /// login (`DB_CONN`) is the database's, not LocalStaging's: the caller adds it.
    public func suiteEnvironment() throws -> [(name: String, value: String)] {
        var values: [(String, String)] = [
            ("SUPABASE_URL", publicURL), ("SUPABASE_ANON_KEY", anonKey), ("API_BASE", publicURL),
        ]
        if let legacyJWTSecret { values.append(("SUPABASE_JWT_SECRET", legacyJWTSecret)) }
        // The deployment it behaves like, and what differs from that deployment's defaults.
        values += [("SUPABASE_DEPLOYMENT", deployment), ("APIKEY_CHECKED", String(apikeyChecked)), ("APIKEY_WRONG_MESSAGE", apikeyWrongMessage),
                   ("JWT_ISSUER", issuer ?? "none")]
        if let captchaToken { values.append(("ANON_E2E_CAPTCHA_TOKEN", captchaToken)) }
        if let registeredAccount {
            values += [("ANON_E2E_REGISTERED_EMAIL", registeredAccount.email), ("ANON_E2E_REGISTERED_PASSWORD", registeredAccount.password)]
        }
        if let signingKeyFile {
            let jwk = try String(contentsOfFile: signingKeyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            values.append(("ANON_E2E_SIGNING_JWK", jwk))
        }
        values += [
            ("ANON_QPS_LIMIT", String(anonymous.requestsPerSecond)), ("ANON_DAILY_QUOTA", String(anonymous.dailyMessages)),
            ("ANON_SSE_CONCURRENCY", String(anonymous.openStreams)), ("REGISTERED_QPS_LIMIT", String(registered.requestsPerSecond)),
            ("SSE_PING_INTERVAL", Self.seconds(pingInterval)), ("BATCH_EXPECTED_STATUS", String(batchPolicy)),
            ("SSE_RESUME_SUPPORTED", String(resumeSupported)), ("STREAM_DIALECT", dialect), ("JWT_LEEWAY", String(leeway)),
            // Its API checks every token's session_id against live sessions (S1.15).
            ("SESSION_REVOCATION_CHECKED", "true"), ("REFRESH_REUSE_INTERVAL", String(refreshReuseInterval)),
            // sql/schema.sql's policies, and its public table (share links).
            ("RLS_CHECKED", "true"), ("RLS_PUBLIC_TABLES", "shared_links"),
            ("CORS_ORIGINS", corsOrigins.joined(separator: ",")), ("DEFAULT_SYSTEM_PROMPT", defaultSystemPrompt),
            ("ANON_E2E_FAIL_PROMPT", failPrompt), ("ANON_E2E_LARGE_REPLY_PROMPT", largeReplyPrompt),
            ("ANON_E2E_TARGET", "local stack"), ("ANON_E2E_CAPABILITIES", "auth,api,database,signingKey,realtime"),
            // The lure on any free loopback port (LocalStaging never fetches a token's jku/x5u), and the
            // request that shows LocalStaging can reach it: its link preview.
            ("ANON_E2E_LURE_URL", "http://127.0.0.1:0"), ("ANON_E2E_LURE_CONTROL", "GET /api/v1/link-preview?url={url}"),
        ]
        return values
    }

    /// `KEY='value'` lines, single-quoted so that a shell and a `.env` reader take them literally.
    public func suiteEnvironmentText() throws -> String {
        try suiteEnvironment().map { "\($0.name)='\($0.value.replacingOccurrences(of: "'", with: "'\\''"))'\n" }.joined()
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return attoseconds == 0 ? String(seconds) : String(Double(seconds) + Double(attoseconds) / 1e18)
    }
}
