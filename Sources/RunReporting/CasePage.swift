import Foundation
import Contract
import Evidence
import Protocols

/// One case's page in REPORT.html, as Playwright's report has a page per
/// test: the criterion and its rules, the verdict with what was expected and
/// what came, every request the case made (headers and bodies as the
/// redacted artifacts hold them, libcurl's phases) and each stream drawn.
struct CasePage {
    let item: RunReport.Case
    /// The notes the case wrote, in order.
    let notes: [TraceNote]
    /// The contract's rules (none without the contract): the page shows the words of those its case declares.
    let rules: [ContractRule]
    let directory: URL
    let dialect: any StreamDialect

    /// The page's name in the URL: `REPORT.html#case-Suite-function`.
    static func anchor(_ caseID: String) -> String {
        HTMLPage.anchor("case-", caseID)
    }

    var html: String {
        typealias H = HTMLPage
        let verdict = item.verdict.rawValue
        var page = "<section class=\"case-page\" data-view=\"\(Self.anchor(item.id))\" data-verdict=\"\(verdict)\">\n"
        page += "<p><a href=\"#cases\">← all cases</a></p>\n"
        page += "<h2>\(H.escape(item.suite)) / \(H.escape(item.name))</h2>\n<p><b>\(H.escape(item.displayName))</b></p>\n"
        let declared = notes.first { $0.kind == .rules }?.message?.split(separator: " ").map(String.init) ?? []
        if !declared.isEmpty {
            page += "<ul class=\"rules\">" + declared.map { id in
                let rule = rules.first { $0.id == id }
                return "<li><b>\(H.escape(id))</b>" + (rule.map { " \($0.level.rawValue): \(H.escape(String($0.text.prefix(300))))" } ?? "") + "</li>"
            }.joined() + "</ul>\n"
        }
        if !item.tags.isEmpty { page += "<p class=\"muted\">tags: \(item.tags.map(H.escape).joined(separator: ", "))</p>\n" }
        page += "<div class=\"banner \(verdict)\" data-verdict=\"\(verdict)\" data-case=\"\(H.escape(item.id))\">\(verdict) in " +
            String(format: "%.2f s", item.seconds) + "</div>\n"
        if let reason = item.reason, !reason.isEmpty {
            page += "<h3>\(item.verdict == .failed ? "What was expected, and what came" : "Why")</h3>\n" +
                reason.split(separator: "\n").map { "<pre class=\"reason\">\(H.escape(String($0.prefix(4000))))</pre>" }.joined() + "\n"
        }
        if let filter = item.filter { page += "<p class=\"muted\">Alone: <code>swift test --filter '\(H.escape(filter))'</code></p>\n" }

        let exchanges = notes.filter { $0.kind == .exchange }
        let measurements = Dictionary(grouping: notes.filter { $0.kind == .measurement && $0.traceID != nil }, by: { $0.traceID! })
        page += "<h3>Requests (\(exchanges.count))</h3>\n"
        if exchanges.contains(where: { $0.artifacts?.contains { $0.hasPrefix("sse") && $0.hasSuffix(".log") } == true }) { page += StreamTimeline.legend }
        if exchanges.isEmpty { page += "<p>None recorded.</p>\n" }
        for exchange in exchanges {
            page += request(exchange, measured: exchange.traceID.flatMap { measurements[$0] } ?? [])
        }
        let shownKinds: Set<TraceNote.Kind> = [.assertion, .limit, .mutation, .warning, .skip, .signIn]
        let others = notes.filter { shownKinds.contains($0.kind) }
        if !others.isEmpty {
            page += "<h3>Notes</h3>\n" + H.table(["kind", "name", "verdict", "message"], others.map { note in
                [note.kind.rawValue, H.escape(note.name ?? ""), note.passed.map { $0 ? "passed" : "FAILED" } ?? "",
                 H.escape(String((note.message ?? "").prefix(600)))]
            })
        }
        return page + "</section>\n"
    }

    /// One request: its line, then what its artifacts hold.
    func request(_ note: TraceNote, measured: [TraceNote]) -> String {
        typealias H = HTMLPage
        var html = "<div class=\"request\"><h4><code>\(H.escape(note.request ?? "request"))</code> → \(note.status.map(String.init) ?? "no status")" +
            (note.message.map { " <code>\(H.escape($0))</code>" } ?? "") + "</h4>\n"
        if let trace = note.traceID { html += "<p class=\"muted\">X-Trace-Id <code>\(H.escape(trace))</code></p>\n" }
        let phases = measured.compactMap { m in m.name.flatMap { n in m.value.map { (n, $0) } } }
        if !phases.isEmpty {
            html += "<p class=\"muted\">" + phases.map { "\(H.escape($0.0.replacingOccurrences(of: "_ms", with: ""))) \(H.short($0.1))" }
                .joined(separator: " · ") + " (ms, or a count)</p>\n"
        }
        let head = measured.first { $0.name == "first_byte_ms" }?.value
        for artifact in note.artifacts ?? [] {
            let url = directory.appendingPathComponent(artifact)
            html += "<p><a href=\"\(H.escape(artifact))\">\(H.escape(artifact))</a></p>\n"
            if artifact.hasPrefix("sse"), artifact.hasSuffix(".log"), let text = try? String(contentsOf: url, encoding: .utf8) {
                html += StreamTimeline(file: artifact, text: text, dialect: dialect, headMs: head).svg
                html += "<details><summary>the transcript</summary><pre>\(H.escape(String(text.prefix(20_000))))</pre></details>\n"
            } else if artifact.hasSuffix(".json"), let data = FileManager.default.contents(atPath: url.path),
                      let record = try? JSONDecoder().decode(HTTPExchangeRecord.self, from: data) {
                html += Self.exchange(record)
            }
        }
        return html + "</div>\n"
    }

    /// An exchange artifact: the headers and bodies both ways, the phases, the checks drawn from it.
    static func exchange(_ record: HTTPExchangeRecord) -> String {
        typealias H = HTMLPage
        func headers(_ fields: [String: [String]]) -> String {
            fields.keys.sorted().flatMap { name in fields[name]!.map { "\(name): \($0)" } }.joined(separator: "\n")
        }
        var html = "<details open><summary>\(H.escape(record.request.method)) \(H.escape(record.request.url))</summary>"
        html += "<pre>\(H.escape(headers(record.request.headers)))</pre>"
        if let body = record.request.body, !body.isEmpty { html += "<pre>\(H.escape(String(body.prefix(2000))))</pre>" }
        if let response = record.response {
            html += "<p>status \(response.status)" + (response.timingsMs.map { timings in
                " · " + timings.keys.sorted().map { "\($0) \(H.short(timings[$0]!)) ms" }.joined(separator: " · ")
            } ?? "") + "</p>"
            html += "<pre>\(H.escape(headers(response.headers)))</pre>"
            if !response.body.isEmpty { html += "<pre>\(H.escape(String(response.body.prefix(2000))))</pre>" }
        }
        if let error = record.error { html += "<pre class=\"failed\">\(H.escape(error))</pre>" }
        html += "</details>\n"
        if !record.verdicts.isEmpty {
            html += H.table(["expected", "verdict", "what came"], record.verdicts.map { verdict in
                [H.escape(verdict.check), H.verdictCell(verdict.passed ? "passed" : "failed", caseID: "check \(verdict.check)"),
                 H.escape(String((verdict.detail ?? "").prefix(400)))]
            })
        }
        return html
    }
}
