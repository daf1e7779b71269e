import Foundation
import GRDB

/// The run history: a SQLite file (`artifacts/history.sqlite`, or
/// `ANON_E2E_HISTORY`) with versioned migrations, so a history carried from
/// run to run by CI keeps working when the schema grows.
public final class HistoryDatabase: Sendable {
    public let path: String
    let queue: DatabaseQueue

    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        // Runs that finish at the same moment (ci/test's profiles, a nightly beside a PR gate) take
        // turns at the file instead of failing on SQLITE_BUSY.
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator.migrate(queue)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: runs, cases, measurements, refusals") { db in
            try db.create(table: "runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("run_id", .text).notNull().unique(onConflict: .replace)
                t.column("kind", .text).notNull()
                t.column("started", .datetime).notNull().indexed()
                t.column("finished", .datetime).notNull()
                t.column("target_kind", .text).notNull()
                t.column("target_host", .text).notNull()
                t.column("git_commit", .text).notNull()
                t.column("strict", .boolean).notNull()
                t.column("passed", .integer).notNull()
                t.column("failed", .integer).notNull()
                t.column("skipped", .integer).notNull()
                t.column("green", .boolean).notNull()
                t.column("seconds", .double).notNull()
                t.column("report", .text).notNull()
            }
            try db.create(table: "cases") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("run", .integer).notNull().indexed().references("runs", onDelete: .cascade)
                t.column("case_id", .text).notNull().indexed()
                t.column("suite", .text).notNull()
                t.column("verdict", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("seconds", .double).notNull()
                t.column("trace_ids", .text).notNull()
                t.column("rules", .text).notNull()
            }
            try db.create(table: "measurements") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("run", .integer).notNull().indexed().references("runs", onDelete: .cascade)
                t.column("case_id", .text).notNull()
                t.column("trace_id", .text).notNull()
                t.column("name", .text).notNull().indexed()
                t.column("value", .double).notNull()
            }
            try db.create(table: "refusals") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("run", .integer).notNull().indexed().references("runs", onDelete: .cascade)
                t.column("case_id", .text).notNull()
                t.column("status", .integer).notNull()
                t.column("code", .text).notNull()
            }
        }
        migrator.registerMigration("v2: a run's filter and problems") { db in
            try db.alter(table: "runs") { t in
                t.add(column: "filter", .text).notNull().defaults(to: "")
                t.add(column: "problems", .text).notNull().defaults(to: "")
            }
        }
        migrator.registerMigration("v3: the stream's dialect of a run") { db in
            try db.alter(table: "runs") { t in t.add(column: "dialect", .text).notNull().defaults(to: "native") }
        }
        return migrator
    }

    /// Stores a run; a run id already there is replaced (a report re-run).
    @discardableResult
    public func record(_ recorded: RecordedRun) throws -> Int64 {
        try queue.write { db in
            try HistoryRun.filter(Column("run_id") == recorded.run.runID).deleteAll(db)
            var run = recorded.run
            run.id = nil
            try run.insert(db)
            guard let id = run.id else { throw DatabaseError(message: "the run was not inserted") }
            for var item in recorded.cases { item.id = nil; item.run = id; try item.insert(db) }
            for var item in recorded.measurements { item.id = nil; item.run = id; try item.insert(db) }
            for var item in recorded.refusals { item.id = nil; item.run = id; try item.insert(db) }
            return id
        }
    }

    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.read(body)
    }
}
