import Foundation
import Transport

/// A file of named data assertions (dbt tests, pgTAP): each is a query with a
/// header that names it and says what to expect of its rows.
///
/// ```sql
/// -- assert: chat_raw_final_assistant
/// -- expect: rows = 1          (or: no rows, rows >= N, rows <= N)
/// -- why: the final assistant row carries the stream's final.content
/// SELECT id FROM chat_raw WHERE trace_id = :trace_id AND final_markdown = :final_content;
///
/// -- assert: chat_session_counted
/// -- expect: no rows
/// -- why: the chat session of the trace has message_count >= 1
/// SELECT s.id FROM chat_sessions s WHERE ... AND (s.message_count IS NULL OR s.message_count < 1);
/// -- subject: the chat session of the trace
/// SELECT s.id FROM chat_sessions s WHERE ...;
/// ```
///
/// `:name` parameters are bound by name (sent apart from the SQL text); a
/// query that expects `no rows` returns the violating rows, and must have a
/// `subject` query that finds the rows under test: "no violation" among no
/// rows at all (a wrong trace id, a renamed column) proves nothing and fails.
/// Every header is `-- word:` in lower case; a word other than assert,
/// expect, why and subject is an error (a misspelled `-- expects:`), and so
/// is an assertion without `expect`.
public struct SQLAssertionFile: Sendable {
    public struct Assertion: Sendable {
        public var name: String
        public var expectation: Expectation
        public var why: String
        public var sql: String
        /// What the rows under test are, and the query that finds them (for `no rows`).
        public var subject: String?
        public var subjectSQL: String = ""
    }

    public enum Expectation: Sendable, Equatable, CustomStringConvertible {
        case noRows
        case rows(Comparison, Int)

        public enum Comparison: String, Sendable { case equal = "=", atLeast = ">=", atMost = "<=" }

        public func holds(_ count: Int) -> Bool {
            switch self {
            case .noRows: count == 0
            case let .rows(.equal, n): count == n
            case let .rows(.atLeast, n): count >= n
            case let .rows(.atMost, n): count <= n
            }
        }

        public var description: String {
            switch self {
            case .noRows: "no rows"
            case let .rows(comparison, n): "rows \(comparison.rawValue) \(n)"
            }
        }
    }

    public struct FormatError: Error, Sendable, CustomStringConvertible {
        public let file: String
        public let reason: String
        public var description: String { "\(file): \(reason)" }
    }

    public struct Result: Sendable {
        public var assertion: Assertion
        public var rows: [PostgresRow]
        public var error: String?
        /// How many rows the subject query found (nil without one).
        public var subjectRows: Int? = nil
        /// Why it did not run: a parameter it needs the run does not have (a stream of another dialect has no `meta`).
        public var notExercised: String? = nil
        public var passed: Bool { notExercised == nil && error == nil && assertion.expectation.holds(rows.count) && subjectRows != 0 }

        /// What was expected and what came, in one line; nil when it held or did not run.
        public var failure: String? {
            guard !passed, notExercised == nil else { return nil }
            if let error { return "\(assertion.name): \(error)" }
            if subjectRows == 0 { return "\(assertion.name): expected \(assertion.subject ?? "the rows under test") to exist; the subject query found none" }
            return "\(assertion.name): expected \(assertion.expectation) (\(assertion.why)); got \(rows.count) row(s): \(rows.prefix(5).map(\.description))"
        }
    }

    public let name: String
    public let assertions: [Assertion]

    public init(name: String, assertions: [Assertion]) {
        self.name = name
        self.assertions = assertions
    }

    public init(contentsOf url: URL) throws {
        try self.init(name: url.lastPathComponent, text: String(contentsOf: url, encoding: .utf8))
    }

    public init(name: String, text: String) throws {
        self.name = name
        var assertions: [Assertion] = []
        var current: Assertion?
        var expected = false
        var inSubject = false
        func close() throws {
            guard var assertion = current else { return }
            func clean(_ sql: String) -> String { sql.trimmingCharacters(in: .whitespacesAndNewlines).trimmingSuffix { $0 == ";" } }
            assertion.sql = clean(assertion.sql)
            assertion.subjectSQL = clean(assertion.subjectSQL)
            guard !assertion.sql.isEmpty else { throw FormatError(file: name, reason: "assertion \(assertion.name) has no query") }
            guard expected else { throw FormatError(file: name, reason: "assertion \(assertion.name) has no '-- expect:' header") }
            if assertion.expectation == .noRows, assertion.subjectSQL.isEmpty {
                throw FormatError(file: name, reason: "assertion \(assertion.name) expects no rows but has no '-- subject:' query: it would pass on nothing")
            }
            assertions.append(assertion)
        }
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let (key, value) = Self.header(trimmed) {
                switch key {
                case "assert":
                    try close()
                    current = Assertion(name: value, expectation: .noRows, why: "", sql: "")
                    expected = false
                    inSubject = false
                case "expect" where current != nil:
                    current!.expectation = try Self.expectation(value, file: name)
                    expected = true
                case "why" where current != nil:
                    current!.why = value
                case "subject" where current != nil:
                    current!.subject = value
                    inSubject = true
                default:
                    throw FormatError(file: name, reason: "line \(number + 1): unknown header '-- \(key):' (assert, expect, why, subject)")
                }
            } else if current != nil, !trimmed.hasPrefix("--") {
                if inSubject { current!.subjectSQL += line + "\n" } else { current!.sql += line + "\n" }
            }
        }
        try close()
        self.assertions = assertions
    }

    /// Runs every assertion; a query that fails is a failed assertion with its error. One that
    /// needs an `unavailable` parameter is not run: nothing is reported as checked that was not.
    /// - Parameters:
    ///   - parameters: the values bound by name; nil is SQL NULL.
    ///   - unavailable: parameters this run cannot give, with why (a dialect without `meta` has no meta.session_id).
    ///   - subjects: where the subject queries run (default: where the assertions do); a user
    ///     impersonated under Row Level Security checks that rows it must not see exist, as the reader sees them.
    public func run(on session: some SQLQuerying, subjects: (any SQLQuerying)? = nil, parameters: [String: String?],
                    unavailable: [String: String] = [:]) -> [Result] {
        assertions.map { assertion in
            let absent = unavailable.keys.filter { (assertion.sql + assertion.subjectSQL).contains(":\($0)") }.sorted()
            if !absent.isEmpty {
                return Result(assertion: assertion, rows: [], error: nil,
                              notExercised: absent.map { ":\($0) is not available: \(unavailable[$0] ?? "")" }.joined(separator: "; "))
            }
            do {
                let (sql, values) = try Self.bind(assertion.sql, parameters, assertion: assertion.name)
                var result = Result(assertion: assertion, rows: try session.query(sql, values), error: nil)
                if !assertion.subjectSQL.isEmpty {
                    let (subject, subjectValues) = try Self.bind(assertion.subjectSQL, parameters, assertion: assertion.name)
                    result.subjectRows = try (subjects ?? session).query(subject, subjectValues).count
                }
                return result
            } catch {
                return Result(assertion: assertion, rows: [], error: String(describing: error))
            }
        }
    }

    /// `:name` → `$n`, in order of first use (`::casts` are left alone).
    static func bind(_ sql: String, _ parameters: [String: String?], assertion: String) throws -> (String, [String?]) {
        let pattern = try NSRegularExpression(pattern: #"(?<![:\w]):([a-z_][a-z0-9_]*)"#)
        var names: [String] = []
        var output = ""
        var last = sql.startIndex
        for match in pattern.matches(in: sql, range: NSRange(sql.startIndex..., in: sql)) {
            let range = Range(match.range, in: sql)!, name = String(sql[Range(match.range(at: 1), in: sql)!])
            guard parameters.keys.contains(name) else {
                throw FormatError(file: assertion, reason: "parameter :\(name) is not one the suite passes (\(parameters.keys.sorted().joined(separator: ", ")))")
            }
            if !names.contains(name) { names.append(name) }
            output += sql[last..<range.lowerBound] + "$\(names.firstIndex(of: name)! + 1)"
            last = range.upperBound
        }
        output += sql[last...]
        return (output, names.map { parameters[$0] ?? nil })
    }

    /// `-- word: value` → (word, value); any other line → nil.
    private static func header(_ line: String) -> (String, String)? {
        guard line.hasPrefix("--") else { return nil }
        let rest = line.dropFirst(2).drop { $0 == " " }
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let key = rest[..<colon]
        // Headers are lower-case words; "-- Parameters: ..." is prose.
        guard !key.isEmpty, key.allSatisfy({ ("a"..."z").contains($0) || $0 == "_" }) else { return nil }
        return (String(key), rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }

    private static func expectation(_ text: String, file: String) throws -> Expectation {
        let words = text.lowercased().split(separator: " ")
        if words == ["no", "rows"] { return .noRows }
        if words.count == 3, words[0] == "rows", let comparison = Expectation.Comparison(rawValue: String(words[1])), let n = Int(words[2]) {
            return .rows(comparison, n)
        }
        throw FormatError(file: file, reason: "expect '\(text)': write 'no rows', 'rows = N', 'rows >= N' or 'rows <= N'")
    }
}

extension [SQLAssertionFile.Result] {
    /// `db_assert_report.md`: each assertion, its verdict, its rows.
    public func markdown(title: String, parameters: [String: String?]) -> String {
        var text = "# \(title)\n\nParameters: " + parameters.keys.sorted().map { "`\($0)` = `\((parameters[$0] ?? nil)?.prefix(80) ?? "NULL")`" }.joined(separator: ", ") + "\n\n"
        text += "| assertion | expects | rows | rows under test | verdict |\n|---|---|---|---|---|\n"
        for result in self {
            let verdict = result.notExercised.map { "not exercised: \($0)" } ?? (result.passed ? "pass" : "**FAIL**")
            text += "| \(result.assertion.name) | \(result.assertion.expectation) | \(result.rows.count) | \(result.subjectRows.map(String.init) ?? "") | \(verdict) |\n"
        }
        for result in self where result.notExercised == nil && (!result.passed || !result.rows.isEmpty) {
            text += "\n## \(result.assertion.name): \(result.passed ? "pass" : "FAIL")\n\n\(result.assertion.why)\n\n"
            if let error = result.error { text += "Error: `\(error)`\n" }
            for row in result.rows.prefix(20) { text += "- `\(row)`\n" }
            if result.rows.count > 20 { text += "- … \(result.rows.count - 20) more\n" }
        }
        return text
    }
}
