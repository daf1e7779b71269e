/// A failure of the read-only database session: the SQLSTATE and the
/// server's own words, the statement, and never the password.
public enum PostgresError: Error, Sendable, CustomStringConvertible {
    case connection(target: String, message: String)
    case query(sqlState: String, message: String, detail: String?, statement: String)
    case typeMismatch(column: String, value: String?, expected: String)
    case noSuchColumn(String, available: [String])

    public var sqlState: String? {
        if case let .query(state, _, _, _) = self { return state }
        return nil
    }

    public var description: String {
        switch self {
        case let .connection(target, message):
            "cannot connect to \(target): \(message)"
        case let .query(state, message, detail, statement):
            "SQLSTATE \(state): \(message)\(detail.map { " (\($0))" } ?? "") in: \(statement)"
        case let .typeMismatch(column, value, expected):
            "column \(column): expected \(expected), got \(value.map { "'\($0)'" } ?? "NULL")"
        case let .noSuchColumn(name, available):
            "no column \(name) in the result (columns: \(available.joined(separator: ", ")))"
        }
    }
}
