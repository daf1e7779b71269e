/// One check and how it came out.
public struct Verdict: Codable, Sendable, Equatable {
    public var check: String
    public var passed: Bool
    public var detail: String?

    public init(_ check: String, passed: Bool, detail: String? = nil) {
        self.check = check
        self.passed = passed
        self.detail = detail
    }
}
