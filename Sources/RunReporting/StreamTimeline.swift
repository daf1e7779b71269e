import Foundation
import Evidence
import Protocols

/// One SSE transcript of a run (`sse*.log`) as a case's page draws it: every
/// frame at its arrival, read by the run's dialect (so an OpenAI chunk is a
/// delta and `[DONE]` the end), with the head, the first token and the
/// longest silence marked.
struct StreamTimeline {
    /// What a frame is on the drawing.
    enum Mark: String, CaseIterable {
        case start, text, ping, terminal, error, other

        var color: String {
            switch self {
            case .start: "#0969da"
            case .text: HTMLPage.passedColor
            case .ping: "#8c959f"
            case .terminal: "#1f2328"
            case .error: HTMLPage.failedColor
            case .other: "#bf8700"
            }
        }

        /// How tall its mark stands above the axis.
        var height: Double {
            switch self {
            case .text: 10
            case .ping: 6
            case .start, .terminal: 22
            case .error: 30
            case .other: 14
            }
        }
    }

    struct Frame {
        var ms: Double
        var mark: Mark
        /// The line of the transcript, shortened: the mark's tooltip.
        var line: String
    }

    let file: String
    let frames: [Frame]
    /// When the response head arrived (ms from the request), where the run measured it.
    let headMs: Double?

    /// - Parameter text: the transcript, one `+<ms>ms event=… id=… data=…` or `+<ms>ms comment=…` line per item.
    init(file: String, text: String, dialect: any StreamDialect, headMs: Double?) {
        self.file = file
        self.headMs = headMs
        frames = text.split(separator: "\n").compactMap { Self.frame($0, dialect: dialect) }
    }

    static func frame(_ line: Substring, dialect: any StreamDialect) -> Frame? {
        guard line.hasPrefix("+"), let end = line.range(of: "ms ") else { return nil }
        let ms = Double(line[line.index(after: line.startIndex)..<end.lowerBound]) ?? 0
        let rest = line[end.upperBound...]
        let shown = String(line.prefix(160))
        if rest.hasPrefix("comment=") { return Frame(ms: ms, mark: .ping, line: shown) }
        guard rest.hasPrefix("event="), let idField = rest.range(of: " id="), let dataField = rest.range(of: " data=") else {
            return Frame(ms: ms, mark: .other, line: shown)
        }
        let type = String(rest[rest.index(rest.startIndex, offsetBy: 6)..<idField.lowerBound])
        let id = String(rest[idField.upperBound..<dataField.lowerBound])
        let data = String(rest[dataField.upperBound...]).replacingOccurrences(of: "\\n", with: "\n")
        let event = ServerSentEvent(type: type, data: data, id: id == "-" ? nil : id)
        return Frame(ms: ms, mark: mark(dialect.read(event)), line: shown)
    }

    /// The frame's most telling part: an error above the end, the end above text.
    static func mark(_ reading: DialectReading) -> Mark {
        guard case let .parts(parts, _) = reading else { return .other }
        var best = Mark.other
        for part in parts {
            let mark: Mark = switch part {
            case .error: .error
            case .terminal, .done: .terminal
            case .start: .start
            case let .text(text): text.isEmpty ? .other : .text
            case .ping: .ping
            case .usage, .unknown, .structural: .other
            }
            if rank(mark) > rank(best) { best = mark }
        }
        return best
    }

    private static func rank(_ mark: Mark) -> Int { [Mark.other, .ping, .text, .start, .terminal, .error].firstIndex(of: mark)! }

    var firstTokenMs: Double? { frames.first { $0.mark == .text }?.ms }

    /// The longest stretch without a frame, from the head (or the request) on.
    var longestSilence: (from: Double, to: Double)? {
        var previous = headMs ?? 0
        var longest: (from: Double, to: Double)?
        for frame in frames {
            if frame.ms - previous > (longest.map { $0.to - $0.from } ?? 0) { longest = (previous, frame.ms) }
            previous = max(previous, frame.ms)
        }
        return longest
    }

    /// The timeline: one `data-point` mark per frame, so a browser can count them against the file.
    var svg: String {
        typealias H = HTMLPage
        let width = 900.0, left = 10.0, right = 70.0, axis = 52.0
        let span = max(frames.map(\.ms).max() ?? 1, headMs ?? 0, 1)
        func x(_ ms: Double) -> Double { left + ms / span * (width - left - right) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"78\" role=\"img\" " +
            "aria-label=\"\(H.escape(file))\" data-timeline=\"\(H.escape(file))\" data-frames=\"\(frames.count)\">"
        if let silence = longestSilence, silence.to > silence.from {
            svg += "<rect x=\"\(H.f(x(silence.from)))\" y=\"\(H.f(axis - 34))\" width=\"\(H.f(max(x(silence.to) - x(silence.from), 1)))\" height=\"34\" " +
                "fill=\"#fff8c5\"><title>longest silence \(H.short(silence.to - silence.from)) ms</title></rect>"
            svg += "<text x=\"\(H.f(x(silence.from) + 2))\" y=\"\(H.f(axis - 24))\" font-size=\"9\" fill=\"#9a6700\">silence \(H.short(silence.to - silence.from)) ms</text>"
        }
        svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(axis)\" y2=\"\(axis)\" stroke=\"#d0d7de\"/>"
        if let headMs {
            svg += "<line x1=\"\(H.f(x(headMs)))\" x2=\"\(H.f(x(headMs)))\" y1=\"\(axis - 40)\" y2=\"\(axis + 4)\" stroke=\"#6639ba\" stroke-dasharray=\"3 2\">" +
                "<title>head +\(H.short(headMs)) ms</title></line>"
            svg += "<text x=\"\(H.f(x(headMs) + 2))\" y=\"\(axis - 42)\" font-size=\"9\" fill=\"#6639ba\">head</text>"
        }
        for frame in frames {
            svg += "<rect data-point=\"\" data-mark=\"\(frame.mark.rawValue)\" x=\"\(H.f(x(frame.ms)))\" y=\"\(H.f(axis - frame.mark.height))\" " +
                "width=\"2\" height=\"\(H.f(frame.mark.height))\" fill=\"\(frame.mark.color)\"><title>\(H.escape(frame.line))</title></rect>"
        }
        if let first = firstTokenMs {
            svg += "<text x=\"\(H.f(min(x(first), width - right - 90)))\" y=\"\(axis + 14)\" font-size=\"9\" fill=\"\(H.passedColor)\">first token +\(H.short(first)) ms</text>"
        }
        if let end = frames.last(where: { $0.mark == .terminal || $0.mark == .error }) {
            svg += "<text x=\"\(H.f(min(x(end.ms), width - right - 60)))\" y=\"\(axis + 26)\" font-size=\"9\" fill=\"\(end.mark.color)\">" +
                "\(end.mark == .error ? "error" : "end") +\(H.short(end.ms)) ms</text>"
        }
        svg += "<text x=\"\(width - right + 4)\" y=\"\(axis + 4)\" font-size=\"10\">\(H.short(span)) ms</text></svg>\n"
        return svg
    }

    /// What the colours mean, once per page.
    static var legend: String {
        "<p class=\"muted\">Each mark is a frame as it arrived, in ms from the request: " +
            Mark.allCases.map { "<b style=\"color:\($0.color)\">■</b> \($0.rawValue)" }.joined(separator: " ") +
            "; the dashed line is the response head, the yellow band the longest silence.</p>\n"
    }
}
