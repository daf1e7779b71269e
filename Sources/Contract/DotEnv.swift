/// A `.env` file: `KEY=value` lines, `# comments`, an optional `export `
/// prefix, single quotes (literal), double quotes (with `\n`, `\"`, `\\`),
/// and unquoted values that end at ` #`.
public enum DotEnv {
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { ".env line \(line): \(reason)" }
    }

    /// A syntax error in a named file: what `.env.local` problems say.
    public struct FileError: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let error: SyntaxError
        public var description: String { "\(path) line \(error.line): \(error.reason)" }
    }

    public static func parse(_ text: String) throws -> [String: String] {
        var values: [String: String] = [:]
        for (number, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = rawLine.trimmingPrefix(while: \.isWhitespace)
            if line.isEmpty || line.first == "#" { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).trimmingPrefix(while: \.isWhitespace) }
            guard let equals = line.firstIndex(of: "=") else {
                throw SyntaxError(line: number + 1, reason: "expected KEY=value")
            }
            let key = line[..<equals].trimmingSuffix(while: \.isWhitespace)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw SyntaxError(line: number + 1, reason: "'\(key)' is not a variable name")
            }
            values[key] = try value(line[line.index(after: equals)...].trimmingPrefix(while: { $0 == " " || $0 == "\t" }), line: number + 1)
        }
        return values
    }

    private static func value(_ text: Substring, line: Int) throws -> String {
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            let uncommented = text.range(of: " #").map { text[..<$0.lowerBound] } ?? text
            return uncommented.trimmingSuffix(while: \.isWhitespace)
        }
        var result = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let character = text[index]
            if character == quote { return result }
            if quote == "\"", character == "\\", text.index(after: index) < text.endIndex {
                index = text.index(after: index)
                switch text[index] {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(text[index])
                }
            } else {
                result.append(character)
            }
            index = text.index(after: index)
        }
        throw SyntaxError(line: line, reason: "unterminated \(quote) quote")
    }
}
