/// The pieces of the Markdown the suite writes (REPORT.md, load reports).
public enum Markdown {
    /// Text safe inside a table cell: one line, pipes escaped.
    public static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "\\|")
    }
}
