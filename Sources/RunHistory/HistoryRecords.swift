import Foundation
import GRDB

/// One run of the suite or of the daily job, as the history keeps it.
public struct HistoryRun: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "runs"
    public enum Kind: String, Codable, Sendable { case suite, daily }

    public var id: Int64?
    /// The run's folder name under artifacts/ (its report is there).
    public var runID: String
    public var kind: Kind
    public var started: Date
    public var finished: Date
    /// "local" or "staging".
    public var targetKind: String
    /// The target's host and port, never a path or a query.
    public var targetHost: String
    public var gitCommit: String
    public var strict: Bool
    public var passed: Int
    public var failed: Int
    public var skipped: Int
    /// The run's verdict (a skip not allowed in strict mode fails it).
    public var green: Bool
    public var seconds: Double
    /// Where the run's REPORT.html is, relative to the artifacts folder.
    public var report: String
    /// The `--filter` of a run that ran part of the suite; empty for a whole run.
    public var filter: String
    /// What failed the run (or would in strict mode), one problem a line: a run
    /// stopped before testing says where and why.
    public var problems: String
    /// The wire format its streams spoke (`STREAM_DIALECT`): timings are compared within one.
    public var dialect: String

    public init(id: Int64? = nil, runID: String, kind: Kind, started: Date, finished: Date, targetKind: String, targetHost: String,
                gitCommit: String, strict: Bool, passed: Int, failed: Int, skipped: Int, green: Bool, seconds: Double, report: String,
                filter: String = "", problems: String = "", dialect: String = "native") {
        self.dialect = dialect
        self.id = id
        self.runID = runID
        self.kind = kind
        self.started = started
        self.finished = finished
        self.targetKind = targetKind
        self.targetHost = targetHost
        self.gitCommit = gitCommit
        self.strict = strict
        self.passed = passed
        self.failed = failed
        self.skipped = skipped
        self.green = green
        self.seconds = seconds
        self.report = report
        self.filter = filter
        self.problems = problems
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    enum CodingKeys: String, CodingKey {
        case id, kind, started, finished, strict, passed, failed, skipped, green, seconds, report, filter, problems, dialect
        case runID = "run_id", targetKind = "target_kind", targetHost = "target_host", gitCommit = "git_commit"
    }
}

/// One case of a run and how it came out.
public struct HistoryCase: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "cases"

    public var id: Int64?
    public var run: Int64
    /// `Suite/function`.
    public var caseID: String
    public var suite: String
    /// passed, failed or skipped.
    public var verdict: String
    public var reason: String
    public var seconds: Double
    /// Space-separated X-Trace-Id values the case used.
    public var traceIDs: String
    /// Space-separated contract rule ids the case checks.
    public var rules: String

    public init(id: Int64? = nil, run: Int64 = 0, caseID: String, suite: String, verdict: String, reason: String, seconds: Double,
                traceIDs: String, rules: String) {
        self.id = id
        self.run = run
        self.caseID = caseID
        self.suite = suite
        self.verdict = verdict
        self.reason = reason
        self.seconds = seconds
        self.traceIDs = traceIDs
        self.rules = rules
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    enum CodingKeys: String, CodingKey {
        case id, run, suite, verdict, reason, seconds, rules
        case caseID = "case_id", traceIDs = "trace_ids"
    }
}

/// A number a case measured: a latency in milliseconds or a count.
public struct HistoryMeasurement: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "measurements"

    public var id: Int64?
    public var run: Int64
    public var caseID: String
    public var traceID: String
    public var name: String
    public var value: Double

    public init(id: Int64? = nil, run: Int64 = 0, caseID: String, traceID: String, name: String, value: Double) {
        self.id = id
        self.run = run
        self.caseID = caseID
        self.traceID = traceID
        self.name = name
        self.value = value
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    enum CodingKeys: String, CodingKey {
        case id, run, name, value
        case caseID = "case_id", traceID = "trace_id"
    }
}

/// A refusal the run saw: status and the body's code.
public struct HistoryRefusal: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "refusals"

    public var id: Int64?
    public var run: Int64
    public var caseID: String
    public var status: Int
    public var code: String

    public init(id: Int64? = nil, run: Int64 = 0, caseID: String, status: Int, code: String) {
        self.id = id
        self.run = run
        self.caseID = caseID
        self.status = status
        self.code = code
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    enum CodingKeys: String, CodingKey {
        case id, run, status, code
        case caseID = "case_id"
    }
}

/// A run with everything it recorded, as it goes into the history.
public struct RecordedRun: Sendable {
    public var run: HistoryRun
    public var cases: [HistoryCase]
    public var measurements: [HistoryMeasurement]
    public var refusals: [HistoryRefusal]

    public init(run: HistoryRun, cases: [HistoryCase], measurements: [HistoryMeasurement], refusals: [HistoryRefusal]) {
        self.run = run
        self.cases = cases
        self.measurements = measurements
        self.refusals = refusals
    }
}
