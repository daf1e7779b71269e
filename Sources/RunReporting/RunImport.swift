import Foundation
import Contract
import Evidence
import RunHistory

/// A Staging run's evidence (its event stream, `index.jsonl`, the verdict)
/// turned into history rows. Only what the artifacts already hold, which
/// passed the redactor: no token or password reaches the history.
public struct RunImport: Sendable {
    public let directory: URL
    public let outcome: RunOutcome
    public var log: TestEventLog { outcome.log }
    public let notes: [TraceNote]
    public let verdict: RunVerdict
    public let configuration: Configuration
    public let rules: [String: [String]]

    /// Masks what a reason or a problem could still hold.
    public let redactor: Redactor

    public init(directory: URL, outcome: RunOutcome, notes: [TraceNote], verdict: RunVerdict, configuration: Configuration, rules: [String: [String]],
                redactor: Redactor) {
        self.directory = directory
        self.outcome = outcome
        self.notes = notes
        self.verdict = verdict
        self.configuration = configuration
        self.rules = rules
        self.redactor = redactor
    }

    public func recorded(finished: Date = Date(), gitCommit: String) -> RecordedRun {
        let seconds = log.cases.map(\.seconds).max() ?? 0
        let runSeconds = log.wallSeconds ?? seconds
        let started = log.startedAt ?? finished.addingTimeInterval(-runSeconds)
        let run = HistoryRun(runID: directory.lastPathComponent, kind: outcome.kind, started: started, finished: started.addingTimeInterval(runSeconds),
                             targetKind: configuration.text(.targetKind), targetHost: Self.host(configuration[.apiBase]),
                             gitCommit: gitCommit, strict: verdict.strict,
                             passed: log.cases.filter { $0.verdict == .passed }.count, failed: log.failed,
                             skipped: log.cases.filter { $0.verdict == .skipped }.count, green: !verdict.failed, seconds: runSeconds,
                             report: directory.lastPathComponent + "/REPORT.html", filter: outcome.filter ?? "",
                             problems: redactor.redact(verdict.problems.map(\.message).joined(separator: "\n")),
                             dialect: configuration.text(.streamDialect))
        let cases = log.cases.map { item in
            HistoryCase(caseID: item.id, suite: item.suite, verdict: item.verdict.rawValue, reason: String(redactor.redact(item.reason ?? "").prefix(2000)),
                        seconds: item.seconds, traceIDs: Self.traces(of: item.caseID, in: notes).joined(separator: " "),
                        rules: (rules[item.id] ?? []).joined(separator: " "))
        }
        let measurements = notes.filter { $0.kind == .measurement }.compactMap { note -> HistoryMeasurement? in
            guard let name = note.name, let value = note.value else { return nil }
            return HistoryMeasurement(caseID: note.caseID?.description ?? "", traceID: note.traceID ?? "", name: name, value: value)
        }
        let refusals = notes.compactMap { note -> HistoryRefusal? in
            guard note.kind == .exchange || note.kind == .mutation, let status = note.status, status >= 400 else { return nil }
            return HistoryRefusal(caseID: note.caseID?.description ?? "", status: status, code: note.message ?? "")
        }
        return RecordedRun(run: run, cases: cases, measurements: measurements, refusals: refusals)
    }

    /// `host:port` of a URL: the history names the target without paths, queries or credentials.
    public static func host(_ url: String?) -> String {
        guard let url, let components = URLComponents(string: url), let host = components.host else { return "" }
        return components.port.map { "\(host):\($0)" } ?? host
    }

    /// The trace ids a case's notes name, in the order they first appear.
    static func traces(of caseID: CaseID, in notes: [TraceNote]) -> [String] {
        var seen: [String] = []
        for note in notes where note.caseID == caseID {
            if let trace = note.traceID, !seen.contains(trace) { seen.append(trace) }
        }
        return seen
    }
}
