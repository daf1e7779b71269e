/// One name for a case everywhere: its suite's type and its function
/// (`StagingPolicyTests/share`). Notes, artifacts, reports, the history, skip
/// allowances and `--filter` all use it, so two suites' functions of one name
/// never share their trace ids or measurements.
public struct CaseID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The suite's type (nested types joined by dots), or a pseudo-suite (`Daily`).
    public let suite: String
    /// The function's base name, without its argument labels.
    public let function: String

    public init(suite: String, function: String) {
        self.suite = suite
        self.function = String(function.prefix { $0 != "(" })
    }

    /// From Swift Testing's test id, as `Test.ID.description` and the event
    /// stream spell it: `Module.Suite/function(_:)/File.swift:3:4`. Nil for a
    /// suite or a function outside any suite.
    public init?(testID: String) {
        guard let slash = testID.firstIndex(of: "/") else { return nil }
        let suite = testID[..<slash].split(separator: ".").dropFirst().joined(separator: ".")
        let rest = testID[testID.index(after: slash)...]
        let function = rest.prefix { $0 != "/" }
        guard !suite.isEmpty, !function.isEmpty else { return nil }
        self.init(suite: suite, function: String(function))
    }

    /// From its description, `Suite/function`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(suite: String(parts[0]), function: String(parts[1]))
    }

    public var description: String { "\(suite)/\(function)" }

    /// The `--filter` (of `swift test`, or `ANON_E2E_FILTER` of ci/e2e) that runs this case alone.
    public var filter: String { "\(suite)/\(function)\\b" }

    public static func < (a: CaseID, b: CaseID) -> Bool { a.description < b.description }
}

extension CaseID: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = CaseID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not Suite/function: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
