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
        let payload = (data ?? "").replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        for line in payload.split(separator: "\n", omittingEmptySubsequences: false) { lines.append("data: \(line)") }
        return lines.joined(separator: "\n") + "\n\n"
    }
}
