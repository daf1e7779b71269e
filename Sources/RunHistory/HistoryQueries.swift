import Foundation
import GRDB

/// What people ask of the history: the last runs, one case over time, the
/// cases that flap, and how the latencies trend.
extension HistoryDatabase {
    /// The last runs, newest first.
    public func lastRuns(_ limit: Int = 20, kind: HistoryRun.Kind? = nil) throws -> [HistoryRun] {
        try read { db in
            var request = HistoryRun.order(Column("started").desc, Column("id").desc)
            if let kind { request = request.filter(Column("kind") == kind.rawValue) }
            return try request.limit(limit).fetchAll(db)
        }
    }

    /// How many of the newest full runs of this kind against this target failed in a row
    /// (filtered runs are not counted either way): the nightly alert's input.
    public func consecutiveFailures(kind: HistoryRun.Kind, targetKind: String) throws -> Int {
        let runs = try read { db in
            try HistoryRun.filter(Column("kind") == kind.rawValue && Column("target_kind") == targetKind && Column("filter") == "")
                .order(Column("started").desc, Column("id").desc).limit(1000).fetchAll(db)
        }
        return runs.prefix { !$0.green }.count
    }

    /// One case in the last runs that ran it, newest first.
    public func history(ofCase caseID: String, limit: Int = 20) throws -> [(run: HistoryRun, case: HistoryCase)] {
        try read { db in
            let cases = try HistoryCase.filter(Column("case_id") == caseID).order(Column("run").desc).limit(limit).fetchAll(db)
            return try cases.compactMap { item in try HistoryRun.fetchOne(db, key: item.run).map { ($0, item) } }
        }
    }

    /// Every case of some runs.
    public func cases(ofRuns runs: [HistoryRun]) throws -> [HistoryCase] {
        let ids = runs.compactMap(\.id)
        return try read { db in try HistoryCase.filter(ids.contains(Column("run"))).fetchAll(db) }
    }

    /// The measurements named `name` of some runs (each case's time to first token, say).
    public func measurements(_ name: String, ofRuns runs: [HistoryRun]) throws -> [HistoryMeasurement] {
        let ids = runs.compactMap(\.id)
        return try read { db in try HistoryMeasurement.filter(ids.contains(Column("run")) && Column("name") == name).fetchAll(db) }
    }

    /// A case that passed and failed (or skipped) in the same window: its verdict changed `changes` times.
    public struct Flaky: Sendable, Equatable {
        public let caseID: String
        public let changes: Int
        /// Oldest first: p (passed), F (failed), s (skipped).
        public let verdicts: String
    }

    /// The cases whose verdict changed within the last `runs` runs, most changes first.
    public func flaky(lastRuns runs: Int = 10) throws -> [Flaky] {
        let window = try lastRuns(runs).reversed()
        let byRun = Dictionary(grouping: try cases(ofRuns: Array(window)), by: \.run)
        var sequences: [String: String] = [:]
        for run in window {
            for item in byRun[run.id ?? -1] ?? [] {
                sequences[item.caseID, default: ""] += item.verdict == "passed" ? "p" : item.verdict == "failed" ? "F" : "s"
            }
        }
        return sequences.compactMap { id, verdicts -> Flaky? in
            let changes = zip(verdicts, verdicts.dropFirst()).filter { $0 != $1 }.count
            return changes > 0 ? Flaky(caseID: id, changes: changes, verdicts: verdicts) : nil
        }.sorted { ($0.changes, $1.caseID) > ($1.changes, $0.caseID) }
    }

    /// p50 and p95 of a measurement.
    public struct Percentiles: Sendable, Equatable {
        public let name: String
        public let count: Int
        public let p50: Double
        public let p95: Double
    }

    /// p50/p95 of every measurement taken since a date.
    public func percentiles(since: Date) throws -> [Percentiles] {
        let rows = try read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.name, m.value FROM measurements m JOIN runs r ON r.id = m.run WHERE r.started >= ? ORDER BY m.name
                """, arguments: [since])
        }
        let values = Dictionary(grouping: rows.map { (name: $0["name"] as String, value: $0["value"] as Double) }, by: \.name)
        return values.keys.sorted().map { name in
            let sorted = values[name]!.map(\.value).sorted()
            return Percentiles(name: name, count: sorted.count, p50: Self.percentile(sorted, 0.50), p95: Self.percentile(sorted, 0.95))
        }
    }

    /// p50/p95 of one measurement in each run, oldest first (the dashboard's trend lines).
    public func trend(_ name: String, lastRuns runs: Int = 60) throws -> [(run: HistoryRun, p50: Double, p95: Double)] {
        let window = Array(try lastRuns(runs).reversed())
        let ids = window.compactMap(\.id)
        let rows = try read { db in
            try HistoryMeasurement.filter(ids.contains(Column("run")) && Column("name") == name).fetchAll(db)
        }
        let byRun = Dictionary(grouping: rows, by: \.run)
        return window.compactMap { run in
            guard let values = byRun[run.id ?? -1]?.map(\.value).sorted(), !values.isEmpty else { return nil }
            return (run, Self.percentile(values, 0.50), Self.percentile(values, 0.95))
        }
    }

    /// Refusals by status and code in a run.
    public func refusals(ofRun run: Int64) throws -> [HistoryRefusal] {
        try read { db in try HistoryRefusal.filter(Column("run") == run).fetchAll(db) }
    }

    /// Nearest-rank percentile of sorted values.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
