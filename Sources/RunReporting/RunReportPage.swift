import Foundation
import Protocols
import Evidence

/// `REPORT.html` of a run: the same facts as REPORT.md, drawn for a person
/// (verdict colours, each stream's arrivals as a timeline, libcurl's phases
/// per request), in one self-contained file beside the run's artifacts.
extension RunReport {
    public func html(directory: URL) -> String {
        typealias H = HTMLPage
        let failed = cases.filter { $0.verdict == .failed }.count
        let skipped = cases.filter { $0.verdict == .skipped }.count
        let red = verdict?.failed ?? (failed > 0)
        var body = "<h1>AnonE2E report: run \(H.escape(runID))</h1>\n<p class=\"muted\">target \(H.escape(target))</p>\n"
        body += "<div class=\"banner \(red ? "failed" : "passed")\">\(red ? "FAILED" : "passed"): \(cases.count - failed - skipped) passed, " +
            "\(failed) failed, \(skipped) skipped (\(verdict?.strict == false ? "not strict" : "strict"))</div>\n"
        if let filter { body += "<p>A filtered run (<code>\(H.escape(filter))</code>): the cases it selected, not the whole suite.</p>\n" }
        if let problems = verdict?.problems, !problems.isEmpty {
            body += "<ul>" + problems.map { "<li>\(H.escape($0.message))</li>" }.joined() + "</ul>\n"
        }

        body += "<h2>Cases</h2>\n"
        body += H.table(["suite", "case", "verdict", "duration", "why", "trace ids", "artifacts"], cases.map { item in
            let mine = notes.filter { $0.caseID == item.caseID }
            let traces = Set(mine.compactMap(\.traceID)).sorted()
            let artifacts = Set(mine.flatMap { $0.artifacts ?? [] }).sorted()
            return [H.escape(item.suite), "<b>\(H.escape(item.name))</b><br><span class=\"muted\">\(H.escape(item.displayName))</span>",
                    H.verdictCell(item.verdict.rawValue, caseID: item.id), String(format: "%.2f s", item.seconds),
                    H.escape(String((item.reason ?? "").prefix(600))),
                    Self.capped(traces.map { "<code>\(H.escape($0))</code>" }),
                    artifacts.map { "<a href=\"\(H.escape($0))\">\(H.escape($0))</a>" }.joined(separator: "<br>")]
        })

        let timelines = Self.transcripts(in: directory)
        if !timelines.isEmpty {
            body += "<h2>Streams: arrivals over time</h2>\n<p class=\"muted\">Each mark is an item as it arrived, in ms from the request: " +
                "meta <b style=\"color:#0969da\">■</b> delta <b style=\"color:\(H.passedColor)\">■</b> final <b style=\"color:#1f2328\">■</b> " +
                "ping <b style=\"color:#8c959f\">■</b> error <b style=\"color:\(H.failedColor)\">■</b></p>\n"
            for (name, items) in timelines { body += Self.timeline(name: name, items: items) }
        }

        let phases = Dictionary(grouping: notes.filter { $0.kind == .measurement && $0.traceID != nil }, by: { $0.traceID! })
        if !phases.isEmpty {
            body += "<h2>Phases per request (ms from the request)</h2>\n"
            let columns = ["curl_connect_ms", "curl_tls_ms", "curl_first_byte_ms", "first_byte_ms", "meta_ms", "ttft_ms", "final_ms", "curl_total_ms",
                           "chunk_gap_p50_ms", "chunk_gap_p95_ms", "chunk_gap_max_ms", "tokens_per_second", "stream_events", "persisted_ms"]
            body += H.table(["X-Trace-Id", "case"] + columns.map { $0.replacingOccurrences(of: "_ms", with: "") }, phases.keys.sorted().map { trace in
                let values = Dictionary(phases[trace]!.compactMap { note in note.name.flatMap { n in note.value.map { (n, $0) } } }, uniquingKeysWith: { a, _ in a })
                return ["<code>\(H.escape(trace))</code>", H.escape(phases[trace]!.first?.caseID?.description ?? "")] + columns.map { values[$0].map(H.short) ?? "" }
            })
        }

        let mutations = notes.filter { $0.kind == .mutation }
        if !mutations.isEmpty {
            body += "<h2>JWT mutation matrix</h2>\n" + H.table(["mutation", "status", "code", "verdict"], mutations.map { note in
                [H.escape(note.name ?? ""), note.status.map(String.init) ?? "", H.escape(note.message ?? ""),
                 H.verdictCell(note.passed == true ? "passed" : "failed", caseID: "mutation \(note.name ?? "")", text: note.passed == true ? "as expected" : "FAIL")]
            })
        }
        let limits = notes.filter { $0.kind == .limit }
        if !limits.isEmpty {
            body += "<h2>Limits</h2>\n" + H.table(["limit", "observed"], limits.map { [H.escape($0.name ?? ""), H.escape($0.message ?? "")] })
        }
        let assertions = notes.filter { $0.kind == .assertion }
        if !assertions.isEmpty {
            body += "<h2>Database assertions</h2>\n" + H.table(["assertion", "X-Trace-Id", "verdict"], assertions.map { note in
                [H.escape(note.name ?? ""), "<code>\(H.escape(note.traceID ?? ""))</code>",
                 H.verdictCell(note.passed.map { $0 ? "passed" : "failed" } ?? "skipped", caseID: "assertion \(note.name ?? "")",
                               text: note.passed == nil ? "not exercised: \(note.message ?? "")" : nil)]
            })
            for file in ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
            where file.hasPrefix("db_assert_report") && file.hasSuffix(".md") {
                let text = (try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)) ?? ""
                body += "<details><summary>\(H.escape(file)): the rows</summary><pre>\(H.escape(String(text.prefix(40_000))))</pre></details>\n"
            }
        }

        body += "<h2>Traces</h2>\n" + H.table(["X-Trace-Id", "case", "request", "status", "artifacts"], notes.filter { $0.kind == .exchange }.map { note in
            ["<code>\(H.escape(note.traceID ?? ""))</code>", H.escape(note.caseID?.description ?? ""), H.escape(note.request ?? ""),
             (note.status.map(String.init) ?? "") + (note.message.map { " <code>\(H.escape($0))</code>" } ?? ""),
             (note.artifacts ?? []).map { "<a href=\"\(H.escape($0))\">\(H.escape($0))</a>" }.joined(separator: " ")]
        })

        if let rules {
            let log = TestEventLog(cases: cases)
            body += "<h2>Rules</h2>\n" + H.table(["rule", "level", "cases", "verdict"], rules.rules.map { rule in
                let verdict = rules.verdict(rule, in: log)
                let state = verdict.hasPrefix("held") ? "passed" : verdict.hasPrefix("broken") ? "failed" : "skipped"
                return [H.escape(rule.id), rule.level.rawValue, H.escape(rules.cases(for: rule.id).joined(separator: ", ")),
                        H.verdictCell(state, caseID: "rule \(rule.id)", text: verdict)]
            })
        }

        let warnings = notes.filter { $0.kind == .warning }
        body += "<h2>Warnings</h2>\n" + (warnings.isEmpty ? "<p>None.</p>\n" :
            "<ul>" + warnings.map { "<li>\(H.escape(($0.caseID.map { "\($0): " } ?? "") + ($0.message ?? "")))</li>" }.joined() + "</ul>\n")
        return H.page(title: "AnonE2E \(runID)", body: body)
    }

    /// A long list shows its first few and folds the rest.
    static func capped(_ items: [String], first: Int = 4) -> String {
        guard items.count > first else { return items.joined(separator: "<br>") }
        return items.prefix(first).joined(separator: "<br>") +
            "<details><summary>\(items.count - first) more</summary>\(items.dropFirst(first).joined(separator: "<br>"))</details>"
    }

    /// The SSE transcripts of the run (`sse*.log`): each line's arrival and kind.
    static func transcripts(in directory: URL) -> [(String, [(ms: Double, kind: String)])] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasPrefix("sse") && $0.hasSuffix(".log") }.sorted()
        return files.prefix(20).compactMap { file in
            guard let text = try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8) else { return nil }
            let items = text.split(separator: "\n").prefix(5000).compactMap { line -> (ms: Double, kind: String)? in
                guard line.hasPrefix("+"), let end = line.range(of: "ms ") else { return nil }
                let ms = Double(line[line.index(after: line.startIndex)..<end.lowerBound]) ?? 0
                let rest = line[end.upperBound...]
                if rest.hasPrefix("comment=") { return (ms, "ping") }
                if rest.hasPrefix("event=") { return (ms, String(rest.dropFirst(6).prefix { $0 != " " })) }
                return (ms, "other")
            }
            return items.isEmpty ? nil : (file, items)
        }
    }

    static func timeline(name: String, items: [(ms: Double, kind: String)]) -> String {
        let width = 900.0, left = 10.0, right = 60.0
        let span = max(items.map(\.ms).max() ?? 1, 1)
        var svg = "<div><b>\(HTMLPage.escape(name))</b> <span class=\"muted\">\(items.count) items over \(HTMLPage.short(span)) ms</span></div>"
        svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"46\" role=\"img\" aria-label=\"\(HTMLPage.escape(name))\">"
        svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"30\" y2=\"30\" stroke=\"#d0d7de\"/>"
        for item in items {
            let x = left + item.ms / span * (width - left - right)
            let color = switch item.kind {
            case "meta": "#0969da"
            case "delta": HTMLPage.passedColor
            case "final": "#1f2328"
            case "ping": "#8c959f"
            case "error": HTMLPage.failedColor
            default: "#bf8700"
            }
            let tall = item.kind == "delta" ? 8.0 : 16.0
            svg += "<rect data-point=\"\" x=\"\(HTMLPage.f(x))\" y=\"\(HTMLPage.f(30 - tall))\" width=\"2\" height=\"\(HTMLPage.f(tall))\" fill=\"\(color)\">" +
                "<title>\(HTMLPage.escape(item.kind)) +\(HTMLPage.short(item.ms)) ms</title></rect>"
        }
        svg += "<text x=\"\(width - right + 4)\" y=\"34\" font-size=\"10\">\(HTMLPage.short(span)) ms</text></svg>\n"
        return svg
    }
}
