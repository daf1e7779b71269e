/// What runs a statement and returns its rows: the read-only session, or a
/// user impersonated inside its rolled-back transaction.
public protocol SQLQuerying {
    func query(_ sql: String, _ parameters: [String?]) throws -> [PostgresRow]
}
