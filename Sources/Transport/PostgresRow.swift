import Foundation

/// One result row in text format, with typed access by column name.
public struct PostgresRow: Sendable, CustomStringConvertible {
    public let columns: [String]
    public let values: [String?]

    public init(columns: [String], values: [String?]) {
        self.columns = columns
        self.values = values
    }

    public func raw(_ column: String) throws -> String? {
        guard let index = columns.firstIndex(of: column) else { throw PostgresError.noSuchColumn(column, available: columns) }
        return values[index]
    }

    public func string(_ column: String) throws -> String? { try raw(column) }

    public func bool(_ column: String) throws -> Bool? {
        try typed(column, "bool") { ["t": true, "f": false][$0] }
    }

    public func int(_ column: String) throws -> Int? {
        try typed(column, "integer") { Int($0) }
    }

    public func uuid(_ column: String) throws -> UUID? {
        try typed(column, "uuid") { UUID(uuidString: $0) }
    }

    /// timestamptz as the session prints it (ISO, UTC): `2026-11-23 09:30:57.123456+00`.
    public func date(_ column: String) throws -> Date? {
        try typed(column, "timestamptz") { PostgresRow.parseTimestamp($0) }
    }

    private func typed<T>(_ column: String, _ expected: String, _ parse: (String) -> T?) throws -> T? {
        guard let text = try raw(column) else { return nil }
        guard let value = parse(text) else { throw PostgresError.typeMismatch(column: column, value: text, expected: expected) }
        return value
    }

    static func parseTimestamp(_ text: String) -> Date? {
        // yyyy-MM-dd HH:mm:ss[.ffffff]+00[:mm]
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?([+-]\d{2})(?::?(\d{2}))?$"#
        guard let match = text.range(of: pattern, options: .regularExpression), match == text.startIndex..<text.endIndex else { return nil }
        let scanner = text.split(whereSeparator: { "- :T+".contains($0) })
        guard scanner.count >= 6 else { return nil }
        var components = DateComponents()
        components.year = Int(scanner[0]); components.month = Int(scanner[1]); components.day = Int(scanner[2])
        components.hour = Int(scanner[3]); components.minute = Int(scanner[4])
        let secondsText = String(scanner[5])
        let seconds = Double(secondsText.prefix { $0 != "+" && $0 != "-" }) ?? 0
        components.second = Int(seconds)
        guard let offsetRange = text.range(of: #"[+-]\d{2}(:?\d{2})?$"#, options: .regularExpression) else { return nil }
        let offsetText = text[offsetRange]
        let sign = offsetText.first == "-" ? -1 : 1
        let digits = offsetText.dropFirst().replacingOccurrences(of: ":", with: "")
        let hours = Int(digits.prefix(2)) ?? 0
        let minutes = digits.count > 2 ? Int(digits.suffix(2)) ?? 0 : 0
        components.timeZone = TimeZone(secondsFromGMT: sign * (hours * 3600 + minutes * 60))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = components.timeZone!
        guard let whole = calendar.date(from: components) else { return nil }
        return whole.addingTimeInterval(seconds - Double(Int(seconds)))
    }

    public var description: String {
        zip(columns, values).map { "\($0)=\($1 ?? "NULL")" }.joined(separator: " ")
    }
}
