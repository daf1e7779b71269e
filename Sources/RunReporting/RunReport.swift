import Foundation
import Contract
import Evidence
import Protocols

/// `REPORT.md` of a run: the overview (case, verdict, duration, trace ids),
/// the trace table (each X-Trace-Id → status, artifacts, database
/// assertions), the warnings and the identities spent.
public struct RunReport: Sendable {
    public typealias Case = TestEventLog.Case

    public let runID: String
    /// What was tested: "local stack (http://127.0.0.1:…)" or "staging (https://…)", and the capabilities it had.
    public let target: String
    public let cases: [Case]
    public let notes: [TraceNote]
    public let verdict: RunVerdict?
    /// The contract's rules and the cases that check them, for the rules section.
    public let rules: RuleCoverage?
    /// The `--filter` of a run that ran part of the suite.
    public let filter: String?
    /// The stream's wire format (`STREAM_DIALECT`): how a case page reads its transcripts' frames.
    public let dialect: any StreamDialect

    public init(runID: String, target: String = "", cases: [Case], notes: [TraceNote], verdict: RunVerdict? = nil, rules: RuleCoverage? = nil,
                filter: String? = nil, dialect: any StreamDialect = NativeDialect()) {
        self.filter = filter
        self.dialect = dialect
        self.rules = rules
        self.runID = runID
        self.target = target
        self.cases = cases
        self.notes = notes
        self.verdict = verdict
    }

    public var markdown: String {
        var text = "# AnonE2E report: run \(runID), target \(target)\n\n"
        let failed = cases.filter { $0.verdict == .failed }.count
        let skipped = cases.filter { $0.verdict == .skipped }.count
        if let verdict {
            text += "**Verdict: \(verdict.failed ? "FAILED" : verdict.problems.isEmpty ? "passed" : "passed with problems")**" +
                " (\(verdict.strict ? "strict" : "not strict")).\n\n"
            for problem in verdict.problems { text += "- \(problem.message)\n" }
            if !verdict.problems.isEmpty { text += "\n" }
        }
        if let filter { text += "A filtered run (`\(filter)`): the cases it selected, not the whole suite.\n\n" }
        text += "\(cases.count) cases: \(cases.count - failed - skipped) passed, \(failed) failed, \(skipped) skipped. "
        text += "Anonymous sign-ins spent: \(TraceNote.anonymousSignIns(in: notes)).\n\n"

        text += "## Overview\n\n| suite | case | verdict | duration | trace ids |\n|---|---|---|---|---|\n"
        for item in cases {
            let traces = Set(notes.filter { $0.caseID == item.caseID && $0.traceID != nil }.compactMap(\.traceID)).sorted()
            let verdict = switch item.verdict {
            case .passed: "pass"
            case .failed: "**FAIL**"
            case .skipped: "skipped: \(Markdown.cell(item.reason ?? ""))"
            }
            text += "| \(item.suite) | \(item.name): \(Markdown.cell(item.displayName)) | \(verdict) | \(String(format: "%.2f s", item.seconds)) | \(traces.map { "`\($0)`" }.joined(separator: " ")) |\n"
        }
        let failures = cases.filter { $0.verdict == .failed }
        if !failures.isEmpty {
            text += "\n### Failures\n\n"
            if failures.contains(where: { $0.filter != nil }) {
                text += "Each one alone: `swift test --filter 'FILTER'`, or `ANON_E2E_FILTER='FILTER' bash ci/e2e` for its own report.\n\n"
            }
            for item in failures {
                let filter = item.filter.map { " (`\($0)`)" } ?? ""
                text += "- **\(item.id)**\(filter): \((item.reason ?? "").replacingOccurrences(of: "\n", with: " ").prefix(600))\n"
            }
        }
        let skips = cases.filter { $0.verdict == .skipped }
        if !skips.isEmpty {
            text += "\n### Skipped: rules not checked in this run\n\n"
            for item in skips { text += "- **\(item.id)**: \(item.reason ?? "no reason given")\n" }
        }

        if let rules {
            text += "\n## Rules\n\nEach rule of CONTRACT.md, the cases that check it, and how it came out in this run.\n\n"
            text += rules.markdown(log: TestEventLog(cases: cases))
        }

        text += "\n## Traces\n\n| X-Trace-Id | case | request | status | artifacts | database assertions |\n|---|---|---|---|---|---|\n"
        var seen: [String] = []
        for note in notes where note.kind == .exchange { if let trace = note.traceID, !seen.contains(trace) { seen.append(trace) } }
        for trace in seen {
            let exchanges = notes.filter { $0.kind == .exchange && $0.traceID == trace }
            let assertions = notes.filter { $0.kind == .assertion && $0.traceID == trace }
            let passed = assertions.filter { $0.passed == true }.count, unrun = assertions.filter { $0.passed == nil }
            let assertionText = assertions.isEmpty ? "" : "\(passed)/\(assertions.count) pass" +
                (assertions.contains { $0.passed == false } ? ": fail " + assertions.filter { $0.passed == false }.compactMap(\.name).joined(separator: ", ") : "") +
                (unrun.isEmpty ? "" : "; not exercised: " + unrun.compactMap(\.name).joined(separator: ", "))
            for exchange in exchanges {
                text += "| `\(trace)` | \(exchange.caseID?.description ?? "") | \(exchange.request ?? "") | \(exchange.status.map(String.init) ?? "") | \((exchange.artifacts ?? []).joined(separator: ", ")) | \(assertionText) |\n"
            }
        }

        // Every stream's timing, as the LLM benchmarks report it, whatever its dialect.
        let columns = ["ttft_ms", "chunk_gap_p50_ms", "chunk_gap_p95_ms", "chunk_gap_max_ms", "final_ms", "tokens_per_second"]
        let timed = Dictionary(grouping: notes.filter { $0.kind == .measurement && $0.traceID != nil && columns.contains($0.name ?? "") }, by: { $0.traceID! })
        if !timed.isEmpty {
            text += "\n## Streams: timing\n\nTime to first token (the request to the first non-empty text), the gaps between the chunks that carried text, " +
                "the terminal event, in ms; tokens per second after the first.\n\n| X-Trace-Id | case | TTFT | gap p50 | gap p95 | gap max | terminal | tokens/s |\n|---|---|---|---|---|---|---|---|\n"
            for trace in timed.keys.sorted() {
                let values = Dictionary(timed[trace]!.compactMap { note in note.name.flatMap { name in note.value.map { (name, $0) } } }, uniquingKeysWith: { a, _ in a })
                let cells = columns.map { values[$0].map { String(format: "%.1f", $0) } ?? "" }
                text += "| `\(trace)` | \(timed[trace]!.first?.caseID?.description ?? "") | " + cells.joined(separator: " | ") + " |\n"
            }
        }

        // How long after the reply what a message persisted could be read (a backend may write it late).
        let persisted = notes.filter { $0.kind == .measurement && $0.name == "persisted_ms" && $0.traceID != nil }
        if !persisted.isEmpty {
            text += "\n## Persistence after the reply\n\nHow long after the reply the rows (or the conversation) a case read were there, " +
                "read again up to ANON_E2E_PERSIST_TIMEOUT, in ms.\n\n| X-Trace-Id | case | persisted after |\n|---|---|---|\n"
            for note in persisted {
                text += "| `\(note.traceID!)` | \(note.caseID?.description ?? "") | \(String(format: "%.0f", note.value ?? 0)) |\n"
            }
        }

        let mutations = notes.filter { $0.kind == .mutation }
        if !mutations.isEmpty {
            let refused = mutations.filter { $0.passed == true }.count
            text += "\n## JWT mutation matrix\n\n\(refused) of \(mutations.count) judged as the contract says (see jwt_mutations.json).\n\n"
            text += "| mutation | status | code | verdict |\n|---|---|---|---|\n"
            for note in mutations {
                text += "| \(note.name ?? "") | \(note.status.map(String.init) ?? "") | \(note.message ?? "") | \(note.passed == true ? "as expected" : "**FAIL**") |\n"
            }
        }
        let limits = notes.filter { $0.kind == .limit }
        if !limits.isEmpty {
            text += "\n## Limits\n\n| limit | observed |\n|---|---|\n"
            for note in limits { text += "| \(note.name ?? "") | \(note.message ?? "") |\n" }
        }

        let heartbeats = notes.filter { $0.kind == .heartbeat }
        if !heartbeats.isEmpty {
            text += "\n## Heartbeat\n\n| stream | verdict |\n|---|---|\n"
            for note in heartbeats { text += "| `\(note.traceID ?? "")` | \(note.passed == true ? "held" : "**FAIL**"): \(Markdown.cell(note.message ?? "")) |\n" }
        }

        let warnings = notes.filter { $0.kind == .warning }
        text += "\n## Warnings\n\n"
        text += warnings.isEmpty ? "None.\n" : warnings.map { "- \($0.caseID.map { "\($0): " } ?? "")\($0.message ?? "")\n" }.joined()
        return text
    }
}
