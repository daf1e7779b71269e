import Foundation
import Evidence

/// How long a run of the gate took against the least it could take: its
/// critical path, the longest chain of cases that must run in order. Swift
/// Testing runs suites and the cases of a suite in parallel unless the suite
/// is `.serialized`, so a serialized suite's chain is the sum of its cases and
/// any other suite's is its longest case. A wall time far above the critical
/// path is time the gate spends waiting on something no case needs (a shared
/// budget, a lock, a limit the suite itself trips). A case's own time leaves out
/// its waits for users (`lease_wait_ms`): waiting on the sign-in budget or on
/// another case's hold is the run's doing, not the case's work.
public struct GateTiming: Sendable {
    public struct Suite: Sendable {
        public let name: String
        public let serialized: Bool
        public let cases: Int
        /// The cases' own times added up (their waits for users left out).
        public let busy: Double
        /// What its cases waited for users, added up.
        public let waited: Double
        public let longest: Double
        /// From its first case's start to its last case's end.
        public let span: Double
        /// What it adds to the critical path: all of it when serialized, else its longest case.
        public var chain: Double { serialized ? busy : longest }
    }

    public let wall: Double
    /// Longest chain first.
    public let suites: [Suite]
    /// What the run used: anonymous sign-ins, message requests built, streams measured.
    public let signIns: Int, messages: Int, streams: Int

    /// - Parameter serialized: the suites declared `.serialized` (from `CaseDeclaration.scan`).
    public init(log: TestEventLog, notes: [TraceNote], serialized: Set<String>) {
        wall = log.wallSeconds ?? 0
        let waits = Dictionary(grouping: notes.filter { $0.kind == .measurement && $0.name == TraceNote.leaseWait && $0.caseID != nil },
                               by: { $0.caseID! }).mapValues { $0.compactMap(\.value).reduce(0, +) / 1000 }
        suites = Dictionary(grouping: log.cases.filter { $0.startedAt != nil }, by: \.suite).map { name, cases in
            let start = cases.compactMap(\.startedAt).min() ?? 0
            let end = cases.map { ($0.startedAt ?? 0) + $0.seconds }.max() ?? 0
            let own = cases.map { max(0, $0.seconds - (waits[$0.caseID] ?? 0)) }
            return Suite(name: name, serialized: serialized.contains(name), cases: cases.count, busy: own.reduce(0, +),
                         waited: cases.map { waits[$0.caseID] ?? 0 }.reduce(0, +), longest: own.max() ?? 0, span: end - start)
        }.sorted { $0.chain > $1.chain }
        signIns = TraceNote.anonymousSignIns(in: notes)
        messages = Set(notes.filter { $0.kind == .sent }.compactMap(\.traceID)).count
        streams = Set(notes.filter { $0.kind == .measurement && $0.name == "ttft_ms" }.compactMap(\.traceID)).count
    }

    public var criticalPath: Double { suites.first?.chain ?? 0 }
    public var ratio: Double { criticalPath > 0 ? wall / criticalPath : 0 }

    public var markdown: String {
        func s(_ value: Double) -> String { String(format: "%.1f s", value) }
        let critical = suites.first.map { "\($0.name), \($0.serialized ? "serialized" : "its longest case")" } ?? "no case"
        var text = "Wall \(s(wall)) against a critical path of \(s(criticalPath)) (\(critical)): \(String(format: "%.2f", ratio))×. "
        text += "The run used \(signIns) anonymous sign-ins, \(messages) messages and \(streams) measured streams. "
        text += "Its cases waited \(s(suites.map(\.waited).reduce(0, +))) for users in all.\n\n"
        text += "| suite | serialized | cases | chain | own time | waited for users | longest case | span |\n|---|---|---|---|---|---|---|---|\n"
        for suite in suites {
            text += "| \(suite.name) | \(suite.serialized ? "yes" : "no") | \(suite.cases) | \(s(suite.chain)) | \(s(suite.busy)) | \(s(suite.waited)) | " +
                "\(s(suite.longest)) | \(s(suite.span)) |\n"
        }
        return text
    }
}
