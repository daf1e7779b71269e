import CLibPQ
import Foundation
import Synchronization

/// A PostgreSQL session that never commits: the server is told
/// `default_transaction_read_only=on` at connect, and every statement runs
/// alone inside `BEGIN READ ONLY … ROLLBACK`; `impersonating` runs a user's
/// statements read-write and rolls them back. Every statement has a
/// `statement_timeout`; parameters travel separately (`PQexecParams`).
///
/// Safety of `@unchecked Sendable`: the libpq connection is used only while
/// holding `lock`, so one statement runs at a time.
public final class PostgresSession: SQLQuerying, @unchecked Sendable {
    public let target: ConnectionString
    private let connection: OpaquePointer
    private let lock = Mutex(())

    public init(_ connectionString: String, statementTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(10)) throws {
        target = ConnectionString(connectionString)
        let options = "-c default_transaction_read_only=on -c statement_timeout=\(statementTimeout.milliseconds) -c TimeZone=UTC -c DateStyle=ISO"
        // Later keywords win over what the expanded connection string says, so the
        // read-only options cannot be switched off from DB_CONN.
        let keywords = ["dbname", "options", "connect_timeout", "application_name"]
        let values = [connectionString, options, String(max(1, connectTimeout.milliseconds / 1000)), "anon-e2e"]
        let connection = withCStrings(keywords) { keys in
            withCStrings(values) { vals in PQconnectdbParams(keys, vals, 1) }
        }
        guard let connection else { throw PostgresError.connection(target: target.masked, message: "out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.clean(String(cString: PQerrorMessage(connection)), hiding: target.password)
            PQfinish(connection)
            throw PostgresError.connection(target: target.masked, message: message)
        }
        self.connection = connection
    }

    deinit { PQfinish(connection) }

    /// Runs one statement with `$1…$n` parameters (nil is SQL NULL) and returns its rows.
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> [PostgresRow] {
        try lock.withLock { _ in
            try command("BEGIN TRANSACTION READ ONLY")
            defer { try? command("ROLLBACK") }
            return try execute(sql, parameters)
        }
    }

    /// Runs `body` in one transaction as `role` with `claims` in `request.jwt.claims` (how
    /// Supabase's policies see a user: `auth.uid()`, `auth.jwt()`), then rolls it back, whatever
    /// happens: Row Level Security is exercised and nothing is ever committed. The transaction is
    /// read-write only so that a refused insert is refused by the policy (42501), not for being
    /// read-only (25006). DB_CONN's role must be allowed to `SET ROLE` to `role`.
    public func impersonating<R>(role: String, claims: String, _ body: (Impersonation) throws -> R) throws -> R {
        guard role.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !role.isEmpty else {
            throw PostgresError.query(sqlState: "42602", message: "not a role name: \(role)", detail: nil, statement: "SET LOCAL ROLE")
        }
        return try lock.withLock { _ in
            try command("BEGIN TRANSACTION READ WRITE")
            defer { try? command("ROLLBACK") }
            try command("SET LOCAL ROLE \"\(role)\"")
            _ = try execute("SELECT set_config('request.jwt.claims', $1, true)", [claims])
            return try body(Impersonation(session: self))
        }
    }

    /// Statements inside `impersonating`: queries, and statements expected to be refused (each in a
    /// savepoint, so the transaction goes on). Only ever reached through the session's lock.
    public struct Impersonation: SQLQuerying {
        fileprivate let session: PostgresSession

        public func query(_ sql: String, _ parameters: [String?] = []) throws -> [PostgresRow] {
            try session.execute(sql, parameters)
        }

        /// The error the statement met, nil when it ran; its effects are rolled back either way.
        public func refusal(of sql: String, _ parameters: [String?] = []) throws -> PostgresError? {
            try session.command("SAVEPOINT refusal")
            defer { try? session.command("ROLLBACK TO SAVEPOINT refusal") }
            do { _ = try session.execute(sql, parameters); return nil } catch let error as PostgresError { return error }
        }
    }

    private func command(_ sql: String) throws {
        _ = try execute(sql, [])
    }

    private func execute(_ sql: String, _ parameters: [String?]) throws -> [PostgresRow] {
        let result = withOptionalCStrings(parameters) { values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
            return rows(result)
        default:
            func field(_ code: Character) -> String? {
                PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
            }
            let message = field("M") ?? String(cString: PQerrorMessage(connection))
            throw PostgresError.query(sqlState: field("C") ?? "?????", message: Self.clean(message, hiding: target.password),
                                      detail: field("D"), statement: sql)
        }
    }

    private func rows(_ result: OpaquePointer?) -> [PostgresRow] {
        let columnCount = PQnfields(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        return (0..<PQntuples(result)).map { row in
            PostgresRow(columns: columns, values: (0..<columnCount).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            })
        }
    }

    private static func clean(_ message: String, hiding password: String?) -> String {
        var text = message.trimmingSuffix { $0.isWhitespace }
        if let password, !password.isEmpty { text = text.replacingOccurrences(of: password, with: "***") }
        return text
    }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    withOptionalCStrings(strings) { body($0!) }
}

private func withOptionalCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    var pointers = copies.map { UnsafePointer($0) }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
