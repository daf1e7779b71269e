import Protocols

/// S1.17: what a project must allow before any case signs in, read from
/// GoTrue's public settings (`GET /auth/v1/settings`). Each unmet one is a
/// message that names the setting and how to change it, so a run stops once
/// with it instead of failing every case one by one.
public struct AuthPreconditions: Sendable {
    public let settings: [String: JSONValue]
    /// A pre-confirmed account is configured (`ANON_E2E_REGISTERED_EMAIL` and `_PASSWORD`).
    public let hasRegisteredAccount: Bool

    public init(settings: [String: JSONValue], hasRegisteredAccount: Bool = false) {
        self.settings = settings
        self.hasRegisteredAccount = hasRegisteredAccount
    }

    /// Sign-up answers a session at once (`mailer_autoconfirm`).
    public var autoconfirm: Bool { settings["mailer_autoconfirm"]?.bool == true }

    /// Empty when the run can start.
    public var unmet: [String] {
        var unmet: [String] = []
        if settings["external"]?["anonymous_users"]?.bool != true {
            unmet.append("anonymous sign-ins are off (GET /auth/v1/settings: external.anonymous_users is " +
                         "\(settings["external"]?["anonymous_users"]?.text ?? "missing")): turn on Authentication → Sign In / Providers → " +
                         "Allow anonymous sign-ins (CLI: [auth] enable_anonymous_sign_ins = true in supabase/config.toml; " +
                         "self-hosted: GOTRUE_EXTERNAL_ANONYMOUS_USERS_ENABLED=true)")
        }
        if settings["disable_signup"]?.bool == true {
            unmet.append("sign-ups are disabled (GET /auth/v1/settings: disable_signup is true), and an anonymous sign-in is a sign-up: " +
                         "turn on Authentication → Sign In / Providers → Allow new users to sign up (self-hosted: GOTRUE_DISABLE_SIGNUP=false)")
        }
        if !autoconfirm, !hasRegisteredAccount {
            unmet.append("\"Confirm email\" is on (GET /auth/v1/settings: mailer_autoconfirm is \(settings["mailer_autoconfirm"]?.text ?? "missing")), " +
                         "so a sign-up gives no session and the registered-user cases have no user: set ANON_E2E_REGISTERED_EMAIL and " +
                         "ANON_E2E_REGISTERED_PASSWORD to a confirmed account of the project, or turn off Authentication → Sign In / Providers → " +
                         "Email → Confirm email on the staging project (self-hosted: GOTRUE_MAILER_AUTOCONFIRM=true)")
        }
        return unmet
    }
}
