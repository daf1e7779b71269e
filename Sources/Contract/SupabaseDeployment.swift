/// Where the project's Supabase runs (`SUPABASE_DEPLOYMENT`): each deployment
/// sets the defaults a team would otherwise have to know (docs/SUPABASE.md):
/// whether the gateway checks the apikey and how it says so, the issuer. A
/// variable that is set wins over its deployment's default.
public enum SupabaseDeployment: String, Sendable, CaseIterable {
    case hosted
    /// `supabase start`: no apikey check on /auth/v1, tokens issued by 127.0.0.1.
    case cli
    /// docker compose with Kong: Kong's messages, no `iss` unless GOTRUE_JWT_ISSUER is set.
    case selfHosted = "self-hosted"
    /// The contract's defaults, nothing assumed.
    case custom

    /// The defaults of this deployment, by key; the contract's default for the rest.
    public var defaults: [ConfigurationKey: String] {
        switch self {
        case .hosted, .custom: [:]
        case .cli: [.apikeyChecked: "false", .jwtIssuer: "http://127.0.0.1:54321/auth/v1"]
        case .selfHosted: [.apikeyWrongMessage: "Invalid authentication credentials", .jwtIssuer: "none"]
        }
    }

    /// The settings it decides, as the run's first lines print them (`name=value`, "(set)" when the team overrode one).
    public static let decided: [ConfigurationKey] = [.apikeyChecked, .apikeyMissingMessage, .apikeyWrongMessage, .jwtIssuer,
                                                     .revocationChecked, .signInBudget]
}
