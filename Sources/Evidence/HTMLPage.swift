import Foundation

/// The pieces of the self-contained HTML the suite writes (REPORT.html, the
/// dashboard): inline CSS and SVG only, nothing fetched from elsewhere, so a
/// page opens from a CI artifact or a laptop's disk alike.
public enum HTMLPage {
    public static let passedColor = "#1a7f37", failedColor = "#cf222e", skippedColor = "#9a6700"

    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A whole page. `script` is the page's own (its views, its filters); the
    /// last one describes what was drawn in `body[data-drawn]` (points plotted,
    /// cases shown red, the view opened, each stream timeline's marks, the
    /// rows drawn per transition and per failure category): what a
    /// headless browser test reads back, and nothing else.
    public static func page(title: String, body: String, script: String = "") -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2328;max-width:1400px}
        h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #d0d7de}
        table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;padding:3px 7px;text-align:left;vertical-align:top}
        th{background:#f6f8fa}code,pre{font:12px ui-monospace,monospace}pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:320px}
        .passed{background:#dafbe1}.failed{background:\(failedColor);color:#fff}.skipped{background:#fff8c5}
        .banner{padding:10px 14px;border-radius:6px;font-size:16px;font-weight:600}
        .banner.passed{background:\(passedColor);color:#fff}.banner.failed{background:\(failedColor);color:#fff}
        .grid td{width:14px;height:14px;padding:0}.grid td.passed{background:#2da44e}.grid td.skipped{background:#d4a72c}.muted{color:#59636e}svg{background:#fff;border:1px solid #d0d7de;margin:4px 0}
        body.js [data-view]{display:none}body.js [data-view].shown{display:block}tr[hidden]{display:none}
        .filters{display:flex;gap:6px;align-items:center;flex-wrap:wrap;margin:8px 0}.filters button{border:1px solid #d0d7de;background:#f6f8fa;border-radius:6px;padding:3px 10px;cursor:pointer}
        .filters button.on{background:#0969da;color:#fff}.trends{display:flex;flex-wrap:wrap;gap:12px}.request{border-left:3px solid #d0d7de;padding-left:10px;margin:12px 0}pre.reason{white-space:pre-wrap}
        </style></head>
        <body>
        \(body)
        <script>
        \(script)
        (function () {
          var red = [];
          document.querySelectorAll('[data-verdict="failed"]').forEach(function (e) {
            if (getComputedStyle(e).backgroundColor === 'rgb(207, 34, 46)') red.push(e.getAttribute('data-case'));
          });
          function tally(selector, attribute) {
            var counts = {};
            document.querySelectorAll(selector).forEach(function (e) {
              var value = e.getAttribute(attribute);
              if (value) counts[value] = (counts[value] || 0) + 1;
            });
            return counts;
          }
          var name = document.body.getAttribute('data-opened'), opened = null;
          document.querySelectorAll('[data-view]').forEach(function (v) { if (v.getAttribute('data-view') === name) opened = v; });
          var banner = opened && opened.querySelector('.banner');
          document.body.setAttribute('data-drawn', JSON.stringify({
            points: document.querySelectorAll('svg [data-point]').length,
            runs: document.querySelectorAll('svg [data-run]').length,
            red: red,
            opened: opened ? { id: name, verdict: opened.getAttribute('data-verdict') || '',
                               red: !!banner && getComputedStyle(banner).backgroundColor === 'rgb(207, 34, 46)' } : null,
            filters: document.querySelectorAll('[data-filter]').length,
            transitions: tally('tr[data-transition]', 'data-transition'),
            categories: tally('tr[data-category]', 'data-category'),
            timelines: Array.prototype.map.call(document.querySelectorAll('svg[data-timeline]'), function (svg) {
              var page = svg.closest('[data-view]');
              return { file: svg.getAttribute('data-timeline'), frames: +svg.getAttribute('data-frames'),
                       marks: svg.querySelectorAll('[data-point]').length, view: page ? page.getAttribute('data-view') : '' };
            })
          }));
        })();
        </script>
        </body></html>

        """
    }

    /// A view's name in the URL: `prefix` and the text with every character but letters, digits and `_` as `-`.
    public static func anchor(_ prefix: String, _ text: String) -> String {
        prefix + String(text.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "-" })
    }

    /// The script that shows one view of a page (an element with `data-view`) at a time, named by the
    /// URL's fragment; without one, the first element matching `preferred` (a failed case's page), else
    /// the view `fallback`. The views carry no `id`, so the browser never scrolls past the page's head to
    /// one. The view shown at load is `body[data-opened]`.
    public static func views(fallback: String, preferred: String? = nil) -> String {
        func literal(_ text: String) -> String {
            "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
        return """
        (function () {
          document.body.classList.add('js');
          var views = document.querySelectorAll('[data-view]');
          function find(name) {
            for (var i = 0; i < views.length; i++) if (views[i].getAttribute('data-view') === name) return views[i];
            return null;
          }
          function show(name) {
            var target = find(name) || find(\(literal(fallback)));
            views.forEach(function (v) { v.classList.toggle('shown', v === target); });
            window.scrollTo(0, 0);
            return target ? target.getAttribute('data-view') : '';
          }
          var preferred = \(preferred.map { "document.querySelector(\(literal($0)))" } ?? "null");
          document.body.setAttribute('data-opened', show(location.hash.slice(1) || (preferred ? preferred.getAttribute('data-view') : \(literal(fallback)))));
          window.addEventListener('hashchange', function () { show(location.hash.slice(1)); });
        })();
        """
    }

    /// A table; cells are HTML already. `rowAttributes`: each row's own (`data-…`, escaped here), as a filter reads them.
    public static func table(_ headers: [String], _ rows: [[String]], className: String? = nil, rowAttributes: [[String: String]] = []) -> String {
        var html = "<table\(className.map { " class=\"\($0)\"" } ?? "")><tr>" + headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for (index, row) in rows.enumerated() {
            let attributes = index < rowAttributes.count ? rowAttributes[index].keys.sorted().map { " \($0)=\"\(escape(rowAttributes[index][$0]!))\"" }.joined() : ""
            html += "<tr\(attributes)>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// A verdict cell, coloured, with the case it belongs to for the page's self-description.
    public static func verdictCell(_ verdict: String, caseID: String, text: String? = nil) -> String {
        "<span class=\"\(escape(verdict))\" data-verdict=\"\(escape(verdict))\" data-case=\"\(escape(caseID))\">\(escape(text ?? verdict))</span>"
    }

    public struct Series: Sendable {
        public var name: String
        public var color: String
        public var points: [(x: Double, y: Double, label: String)]

        public init(name: String, color: String, points: [(x: Double, y: Double, label: String)]) {
            self.name = name
            self.color = color
            self.points = points
        }
    }

    /// A line chart with a point per value (each `data-point`, titled with its label).
    /// - Parameter runAttribute: mark each point of the first series as one run plotted.
    /// - Parameter ceiling: a fixed top of the scale (100 for percentages).
    public static func lineChart(title: String, unit: String, series: [Series], width: Int = 640, height: Int = 220,
                                 runAttribute: Bool = false, ceiling: Double? = nil) -> String {
        let all = series.flatMap(\.points)
        let left = 56.0, right = 12.0, top = 24.0, bottom = 24.0
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        let minX = all.map(\.x).min() ?? 0, maxX = max(all.map(\.x).max() ?? 1, minX + 1e-9)
        let maxY = ceiling ?? max(all.map(\.y).max() ?? 1, 1e-9) * 1.1
        func px(_ x: Double) -> Double { all.count <= 1 ? left + plotWidth / 2 : left + (x - minX) / (maxX - minX) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - y / maxY * plotHeight }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<text x=\"\(left)\" y=\"16\" font-size=\"13\" font-weight=\"600\">\(escape(title))</text>"
        for tick in 0...4 {
            let value = maxY * Double(tick) / 4
            let y = py(value)
            svg += "<line x1=\"\(left)\" x2=\"\(Double(width) - right)\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"#eaeef2\"/>"
            svg += "<text x=\"\(left - 4)\" y=\"\(f(y + 4))\" font-size=\"10\" text-anchor=\"end\">\(escape(Self.short(value)))\(escape(unit))</text>"
        }
        for (index, item) in series.enumerated() {
            let path = item.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            if item.points.count > 1 { svg += "<polyline fill=\"none\" stroke=\"\(item.color)\" stroke-width=\"1.5\" points=\"\(path)\"/>" }
            for point in item.points {
                let mark = runAttribute && index == 0 ? " data-run=\"\(escape(point.label))\"" : ""
                svg += "<circle data-point=\"\"\(mark) cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"3\" fill=\"\(item.color)\">" +
                    "<title>\(escape(item.name)): \(escape(point.label)) \(escape(Self.short(point.y)))\(escape(unit))</title></circle>"
            }
            svg += "<text x=\"\(f(Double(width) - right - 150 + 0))\" y=\"\(16 + 0)\" dx=\"\(index * 75)\" font-size=\"11\" fill=\"\(item.color)\">\(escape(item.name))</text>"
        }
        return svg + "</svg>\n"
    }

    public static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    public static func short(_ value: Double) -> String {
        value >= 100 || value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.2f", value)
    }
}
