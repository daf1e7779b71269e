/// What a backend lets the suite check, by the variables it needs. A case is
/// gated by the capabilities it uses and skipped, with the missing variable
/// names, when one is absent.
public enum Capability: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Supabase Auth: anonymous sign-in, sessions, JWKS.
    case auth
    /// The messages API.
    case api
    /// Read-only access to the backend's PostgreSQL.
    case database
    /// A key that signs tokens the API accepts (the legacy HS256 secret or a
    /// private JWK): needed to forge validly signed tokens with one bad claim.
    case signingKey
    /// Socket.IO at `/ws`.
    case realtime
    /// A Prometheus that scrapes the backend (CONTRACT §8): what the run did must show in its series.
    case observability

    /// Alternatives: the capability is there when every variable of one group is set.
    public var requirements: [[ConfigurationKey]] {
        switch self {
        case .auth: [[.supabaseURL, .supabaseAnonKey]]
        case .api: [[.apiBase]]
        case .database: [[.dbConn]]
        case .signingKey: [[.supabaseJWTSecret], [.signingJWK]]
        case .realtime: [[.apiBase, .supabaseURL, .supabaseAnonKey]]
        case .observability: [[.prometheusURL]]
        }
    }

    public var description: String { rawValue }
}

/// Why a capability is not there: names every variable that is missing.
public struct MissingCapability: Error, Sendable, CustomStringConvertible {
    public let capability: Capability
    public let missing: [[String]]
    /// The configuration file could not be read: nothing is configured.
    public var loadError: String? = nil

    public var description: String {
        if let loadError { return "capability '\(capability)' unavailable: \(loadError)" }
        let options = missing.map { $0.joined(separator: " and ") }
        return "capability '\(capability)' needs \(options.joined(separator: ", or ")) (set in the environment or .env.local)"
    }
}

/// A variable the current step needs and the configuration lacks.
public struct MissingVariable: Error, Sendable, CustomStringConvertible {
    public let name: String
    public var description: String { "\(name) is not set (set it in the environment or .env.local)" }
}
