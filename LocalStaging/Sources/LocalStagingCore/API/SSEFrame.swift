import Foundation

/// One unit of an event stream as it goes on the wire (WHATWG HTML §9.2).
public struct SSEFrame: Sendable, Equatable {
    public var id: Int?
    public var event: String?
    public var data: String?
    public var comment: String?

    public static func event(_ name: String, id: Int, data: String) -> SSEFrame {
        SSEFrame(id: id, event: name, data: data)
    }

    public static let ping = SSEFrame(comment: "ping")

    /// The wire text: one `data:` line per line of data (so a newline in the
    /// payload cannot end the event early), then the blank line that dispatches it.
    public var text: String {
        if let comment { return ": \(comment)\n\n" }
        var lines: [String] = []
        if let id { lines.append("id: \(id)") }
        if let event { lines.append("event: \(event)") }
        let data = data ?? ""
        if !Self.hasLineBreak(data) {
            // One line, the usual case: no scan by characters (a large reply's frames are megabytes).
            lines.append("data: \(data)")
        } else {
            let payload = data.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            for line in payload.split(separator: "\n", omittingEmptySubsequences: false) { lines.append("data: \(line)") }
        }
        return lines.joined(separator: "\n") + "\n\n"
    }

    /// Whether the text holds a CR or LF, found by memchr over its UTF-8 (megabytes in a large reply).
    static func hasLineBreak(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, 10, bytes.count) != nil || memchr(base, 13, bytes.count) != nil
        }
    }
}
