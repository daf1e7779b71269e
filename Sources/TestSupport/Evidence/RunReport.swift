import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `REPORT.md` of a run: the overview (case, verdict, duration, trace ids),
/// the trace table (each X-Trace-Id → status, artifacts, database
/// assertions), the warnings and the identities spent.
public struct RunReport: Sendable {
    public struct Case: Sendable, Equatable {
        public var suite: String
        public var name: String
        public var verdict: String
        public var seconds: Double
        public var failure: String?
    }

    public let runID: String
    public let cases: [Case]
    public let notes: [TraceNote]

    public init(runID: String, cases: [Case], notes: [TraceNote]) {
        self.runID = runID
        self.cases = cases
        self.notes = notes
    }

    /// Reads the cases of a JUnit XML file (`swift test --xunit-output`).
    public static func cases(junit url: URL) throws -> [Case] {
        let document = try XMLDocument(contentsOf: url)
        return try document.nodes(forXPath: "//testcase").compactMap { node in
            guard let element = node as? XMLElement else { return nil }
            let failure = element.elements(forName: "failure").first
            let skipped = !element.elements(forName: "skipped").isEmpty
            return Case(suite: element.attribute(forName: "classname")?.stringValue ?? "",
                        name: element.attribute(forName: "name")?.stringValue ?? "",
                        verdict: failure != nil ? "FAIL" : skipped ? "skipped" : "pass",
                        seconds: Double(element.attribute(forName: "time")?.stringValue ?? "") ?? 0,
                        failure: failure?.attribute(forName: "message")?.stringValue ?? failure?.stringValue)
        }
    }

    public var markdown: String {
        var text = "# AnonE2E report: run \(runID)\n\n"
        let failed = cases.filter { $0.verdict == "FAIL" }.count
        let skipped = cases.filter { $0.verdict == "skipped" }.count
        text += "\(cases.count) cases: \(cases.count - failed - skipped) passed, \(failed) failed, \(skipped) skipped. "
        let signIns = notes.filter { $0.kind == .signIn }.count
        text += "Anonymous sign-ins spent: \(signIns).\n\n"

        text += "## Overview\n\n| suite | case | verdict | duration | trace ids |\n|---|---|---|---|---|\n"
        for item in cases {
            let traces = Set(notes.filter { $0.test == item.name && $0.traceID != nil }.compactMap(\.traceID)).sorted()
            let suite = item.suite.split(separator: ".").last.map(String.init) ?? item.suite
            text += "| \(suite) | \(item.name) | \(item.verdict == "FAIL" ? "**FAIL**" : item.verdict) | \(String(format: "%.2f s", item.seconds)) | \(traces.map { "`\($0)`" }.joined(separator: " ")) |\n"
        }
        let failures = cases.filter { $0.failure != nil }
        if !failures.isEmpty {
            text += "\n### Failures\n\n"
            for item in failures { text += "- **\(item.name)**: \(item.failure!.replacingOccurrences(of: "\n", with: " ").prefix(600))\n" }
        }

        text += "\n## Traces\n\n| X-Trace-Id | case | request | status | artifacts | database assertions |\n|---|---|---|---|---|---|\n"
        var seen: [String] = []
        for note in notes where note.kind == .exchange { if let trace = note.traceID, !seen.contains(trace) { seen.append(trace) } }
        for trace in seen {
            let exchanges = notes.filter { $0.kind == .exchange && $0.traceID == trace }
            let assertions = notes.filter { $0.kind == .assertion && $0.traceID == trace }
            let passed = assertions.filter { $0.passed == true }.count
            let assertionText = assertions.isEmpty ? "" : "\(passed)/\(assertions.count) pass" +
                (assertions.contains { $0.passed != true } ? ": fail " + assertions.filter { $0.passed != true }.compactMap(\.name).joined(separator: ", ") : "")
            for exchange in exchanges {
                text += "| `\(trace)` | \(exchange.test ?? "") | \(exchange.request ?? "") | \(exchange.status.map(String.init) ?? "") | \((exchange.artifacts ?? []).joined(separator: ", ")) | \(assertionText) |\n"
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

        let warnings = notes.filter { $0.kind == .warning }
        text += "\n## Warnings\n\n"
        text += warnings.isEmpty ? "None.\n" : warnings.map { "- \($0.test.map { "\($0): " } ?? "")\($0.message ?? "")\n" }.joined()
        return text
    }
}
