import Protocols

/// S1.17: what a project must allow before any case signs in, read from
/// GoTrue's public settings (`GET /auth/v1/settings`). Each unmet one is a
/// message that names the setting and how to change it, so a run stops once
/// with it instead of failing every case one by one.
public struct AuthPreconditions: Sendable {
    public let settings: [String: JSONValue]

    public init(settings: [String: JSONValue]) { self.settings = settings }

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
        return unmet
    }
}
