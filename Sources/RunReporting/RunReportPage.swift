import Foundation
import Protocols
import Evidence

/// `REPORT.html` of a run: the same facts as REPORT.md, drawn for a person, in
/// one self-contained file beside the run's artifacts: the case list with its
/// filters and the run's tables, and a page per case (`CasePage`) with its
/// requests and each stream drawn; it opens at the first failed case.
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

        body += "<section data-view=\"cases\">\n<h2>Cases</h2>\n" + caseFilters
        body += H.table(["suite", "case", "verdict", "duration", "why", "trace ids", "artifacts"], cases.map { item in
            let mine = notes.filter { $0.caseID == item.caseID }
            let traces = Set(mine.compactMap(\.traceID)).sorted()
            let artifacts = Set(mine.flatMap { $0.artifacts ?? [] }).sorted()
            return [H.escape(item.suite), "<a href=\"#\(CasePage.anchor(item.id))\"><b>\(H.escape(item.name))</b></a><br><span class=\"muted\">\(H.escape(item.displayName))</span>",
                    H.verdictCell(item.verdict.rawValue, caseID: item.id), String(format: "%.2f s", item.seconds),
                    H.escape(String((item.reason ?? "").prefix(600))),
                    Self.capped(traces.map { "<code>\(H.escape($0))</code>" }, first: 2),
                    artifacts.map { "<a href=\"\(H.escape($0))\">\(H.escape($0))</a>" }.joined(separator: "<br>")]
        }, className: "cases", rowAttributes: cases.map { item in
            ["data-status": item.verdict.rawValue, "data-suite": item.suite, "data-tags": item.tags.joined(separator: " "),
             "data-text": "\(item.id) \(item.displayName) \(item.reason ?? "")".lowercased()]
        })

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
        body += "</section>\n"

        let byCase = Dictionary(grouping: notes.filter { $0.caseID != nil }, by: { $0.caseID! })
        for item in cases {
            body += CasePage(item: item, notes: byCase[item.caseID] ?? [], rules: rules?.rules ?? [],
                             directory: directory, dialect: dialect).html
        }
        return H.page(title: "AnonE2E \(runID)", body: body, script: Self.navigation)
    }

    /// The case list's filters, as Playwright's report has them: by verdict, suite, tag and text.
    var caseFilters: String {
        typealias H = HTMLPage
        let counts = Dictionary(grouping: cases, by: \.verdict).mapValues(\.count)
        var html = "<div class=\"filters\"><button data-filter=\"status\" data-value=\"\" class=\"on\">all \(cases.count)</button>"
        for verdict in [RunReport.Case.Verdict.failed, .skipped, .passed] {
            html += "<button data-filter=\"status\" data-value=\"\(verdict.rawValue)\">\(verdict.rawValue) \(counts[verdict] ?? 0)</button>"
        }
        func select(_ name: String, _ values: [String]) -> String {
            "<select data-filter=\"\(name)\"><option value=\"\">every \(name)</option>" +
                values.map { "<option value=\"\(H.escape($0))\">\(H.escape($0))</option>" }.joined() + "</select>"
        }
        html += select("suite", Set(cases.map(\.suite)).sorted()) + select("tag", Set(cases.flatMap(\.tags)).sorted())
        html += "<input type=\"search\" data-filter=\"text\" placeholder=\"text in the case, its criterion or its failure\">"
        return html + " <span class=\"muted\" id=\"shown-count\">\(cases.count) cases</span></div>\n"
    }

    /// Shows the list or a case's page by the URL's fragment, opening at the first failed case, and
    /// filters the list.
    static let navigation = HTMLPage.views(fallback: "cases", preferred: ".case-page[data-verdict=\"failed\"]") + """
    (function () {
      var state = { status: '', suite: '', tag: '', text: '' };
      var rows = document.querySelectorAll('table.cases tr[data-status]');
      function apply() {
        var shown = 0;
        rows.forEach(function (row) {
          var d = row.dataset;
          var ok = (!state.status || d.status === state.status) && (!state.suite || d.suite === state.suite) &&
            (!state.tag || (' ' + d.tags + ' ').indexOf(' ' + state.tag + ' ') >= 0) &&
            (!state.text || d.text.indexOf(state.text.toLowerCase()) >= 0);
          row.hidden = !ok;
          if (ok) shown++;
        });
        document.getElementById('shown-count').textContent = shown + ' of ' + rows.length + ' cases';
      }
      document.querySelectorAll('[data-filter]').forEach(function (control) {
        var name = control.getAttribute('data-filter');
        if (control.tagName === 'BUTTON') {
          control.addEventListener('click', function () {
            state.status = control.getAttribute('data-value');
            document.querySelectorAll('button[data-filter]').forEach(function (b) { b.classList.toggle('on', b === control); });
            apply();
          });
        } else {
          control.addEventListener('input', function () { state[name] = control.value; apply(); });
        }
      });
    })();
    """

    /// A long list shows its first few and folds the rest.
    static func capped(_ items: [String], first: Int = 4) -> String {
        guard items.count > first else { return items.joined(separator: "<br>") }
        return items.prefix(first).joined(separator: "<br>") +
            "<details><summary>\(items.count - first) more</summary>\(items.dropFirst(first).joined(separator: "<br>"))</details>"
    }
}
