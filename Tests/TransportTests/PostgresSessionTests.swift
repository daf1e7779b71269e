import Foundation
import Testing
@testable import Transport

/// The throwaway database `ci/test` loads from `Tests/Fixtures/sql/probe.sql`.
private let probeConnection = ProcessInfo.processInfo.environment["ANON_E2E_PROBE_DB"]

@Suite("PostgresSession (libpq)", .enabled(if: probeConnection != nil, "set ANON_E2E_PROBE_DB (ci/test starts a throwaway PostgreSQL and sets it)"),
       .timeLimit(.minutes(1)))
struct PostgresSessionTests {
    let session: PostgresSession

    init() throws { session = try PostgresSession(probeConnection ?? "") }

    @Test("typed columns: text, bool, int, uuid, timestamptz, and NULL")
    func typedColumns() throws {
        let rows = try session.query("SELECT id, name, ok, uid, at FROM probe ORDER BY id")
        #expect(rows.count == 2)
        #expect(try rows[0].int("id") == 1)
        #expect(try rows[0].string("name") == "first")
        #expect(try rows[0].bool("ok") == true)
        #expect(try rows[0].uuid("uid") == UUID(uuidString: "8d2f4c8e-6a3b-4f0e-9a51-3c1b2d4e5f60"))
        let at = try #require(try rows[0].date("at"))
        #expect(abs(at.timeIntervalSince1970 - 1_795_426_257.123456) < 0.000_01)
        #expect(try rows[1].string("name") == nil)
        #expect(try rows[1].bool("ok") == false)
        #expect(try rows[1].date("at") == nil)
    }

    @Test("parameters travel apart from the SQL text")
    func parameters() throws {
        let rows = try session.query("SELECT count(*) AS n FROM probe WHERE name = $1 OR $2::int = id", ["first'; DROP TABLE probe; --", "2"])
        #expect(try rows[0].int("n") == 1)
        let null = try session.query("SELECT $1::text IS NULL AS isnull", [nil])
        #expect(try null[0].bool("isnull") == true)
    }

    @Test("an INSERT through the session fails with SQLSTATE 25006, though the role may write")
    func readOnly() throws {
        let error = #expect(throws: PostgresError.self) {
            _ = try session.query("INSERT INTO probe (id, ok) VALUES (99, true)")
        }
        #expect(error?.sqlState == "25006")
        // Turning read-only off is refused too: each statement runs alone in a read-only transaction.
        _ = try? session.query("SET default_transaction_read_only = off")
        #expect(throws: PostgresError.self) { _ = try session.query("DELETE FROM probe") }
        #expect(try session.query("SELECT count(*) AS n FROM probe")[0].int("n") == 2)
    }

    @Test("errors carry SQLSTATE and the server's message")
    func errors() throws {
        let error = #expect(throws: PostgresError.self) { _ = try session.query("SELECT * FROM no_such_table") }
        #expect(error?.sqlState == "42P01")
        #expect(error?.description.contains("no_such_table") == true)
        #expect(throws: PostgresError.self) { _ = try session.query("SELECT 'x' AS v")[0].int("v") }
    }

    @Test("a slow statement is stopped by statement_timeout")
    func statementTimeout() throws {
        let quick = try PostgresSession(probeConnection ?? "", statementTimeout: .milliseconds(300))
        let error = #expect(throws: PostgresError.self) { _ = try quick.query("SELECT pg_sleep(5)") }
        #expect(error?.sqlState == "57014")
    }

    @Test("a wrong password fails without showing any password")
    func passwordNeverShown() throws {
        let target = ConnectionString(probeConnection ?? "")
        let password = try #require(target.password)
        let wrong = (probeConnection ?? "").replacingOccurrences(of: password, with: "not-\(password)")
        let error = #expect(throws: PostgresError.self) { _ = try PostgresSession(wrong) }
        let text = String(describing: error)
        #expect(text.contains("password authentication failed"))
        #expect(!text.contains(password))
        #expect(text.contains("***"))
    }
}

@Suite("ConnectionString")
struct ConnectionStringTests {
    @Test("passwords are masked in every form", arguments: [
        ("postgresql://reader:s3cr%40t@db.example.com:5432/app?sslmode=require", "s3cr@t", "postgresql://reader:***@db.example.com:5432/app?sslmode=require"),
        ("postgres://u:pw@h/db", "pw", "postgres://u:***@h/db"),
        ("host=db user=reader password=hunter2 dbname=app", "hunter2", "host=db user=reader password=*** dbname=app"),
        ("host=db password = 'two words' dbname=app", "two words", "host=db password = *** dbname=app"),
        ("postgresql://reader@h/db", nil, "postgresql://reader@h/db"),
    ] as [(String, String?, String)])
    func masking(_ raw: String, _ password: String?, _ masked: String) {
        let connection = ConnectionString(raw)
        #expect(connection.password == password)
        #expect(connection.masked == masked)
    }
}
