import Foundation

/// What a Locust run of the exported locustfile says, read from its
/// `--csv` statistics (`stats_stats.csv`), and whether it passed: streamed
/// messages were sent, none failed its checks, at least half completed (a
/// refusal is not a success), and sign-ins happened.
public struct LocustStats: Sendable {
    /// One row of the statistics: a request type and name, and its counts.
    public struct Row: Sendable, Equatable {
        public let type: String
        public let name: String
        public let requests: Int
        public let failures: Int
        public let median: String
        public let p95: String
    }

    public let rows: [Row]

    public struct ReadError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(csv text: String) throws {
        let lines = text.split(whereSeparator: \.isNewline).map { Self.fields(of: String($0)) }
        guard let header = lines.first else { throw ReadError(description: "the statistics are empty") }
        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else { throw ReadError(description: "the statistics have no '\(name)' column") }
            return index
        }
        let (type, name, count, failures, median, p95) = (try column("Type"), try column("Name"), try column("Request Count"),
                                                          try column("Failure Count"), try column("Median Response Time"), try column("95%"))
        rows = lines.dropFirst().filter { $0.count == header.count }.map { cells in
            Row(type: cells[type], name: cells[name], requests: Int(cells[count]) ?? 0, failures: Int(cells[failures]) ?? 0,
                median: cells[median], p95: cells[p95])
        }
    }

    /// The fields of one CSV line (RFC 4180 quoting, as Python's csv module writes it).
    static func fields(of line: String) -> [String] {
        var fields: [String] = [], field = "", quoted = false
        var characters = line.makeIterator()
        while let character = characters.next() {
            switch (character, quoted) {
            case ("\"", true):
                // A doubled quote inside quotes is one quote; a single one closes them.
                if let next = characters.next() {
                    if next == "\"" { field.append("\"") } else {
                        quoted = false
                        if next == "," { fields.append(field); field = "" } else { field.append(next) }
                    }
                } else { quoted = false }
            case ("\"", false) where field.isEmpty: quoted = true
            case (",", false): fields.append(field); field = ""
            default: field.append(character)
            }
        }
        fields.append(field)
        return fields
    }

    public func row(_ type: String, _ name: String) -> Row? { rows.first { $0.type == type && $0.name == name } }

    /// The stream closures and sign-ins, as the locustfile names them.
    public var streams: Row? { row("POST", "POST messages (stream)") }
    public var signIns: Row? { row("POST", "anonymous sign-in") }
    /// Streams that passed every check (the locustfile's "time to final" phase).
    public var successes: Int { row("PHASE", "time to final")?.requests ?? 0 }
    /// Refusals the locustfile expected (429s it provoked on purpose).
    public var expectedRefusals: Int { rows.filter { $0.type == "EXPECTED" }.map(\.requests).reduce(0, +) }

    /// What failed the run; empty when it passed.
    public var problems: [String] {
        var problems: [String] = []
        if let streams, streams.requests > 0 {
            if streams.failures > 0 { problems.append("\(streams.failures) closures failed their checks (see stats_failures.csv)") }
            // Refusals are expected, not successes: a backend that refuses everything must not pass.
            if successes * 2 < streams.requests {
                problems.append("only \(successes) of \(streams.requests) streamed messages completed and passed their checks (at least half must)")
            }
        } else {
            problems.append("no streamed message was sent")
        }
        if (signIns?.requests ?? 0) == 0 { problems.append("no anonymous sign-in") }
        return problems
    }

    public var summary: String {
        "locust: \(streams?.requests ?? 0) streamed messages, \(streams?.failures ?? 0) failed, \(signIns?.requests ?? 0) sign-ins, " +
            "\(expectedRefusals) expected 429s, median \(streams?.median ?? "-") ms, p95 \(streams?.p95 ?? "-") ms"
    }
}
