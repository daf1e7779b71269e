/// The members of the contract's one error body (K1, CONTRACT §3): every
/// check of it, and the scenarios exported for other tools, read them here.
public enum ErrorBodyKeys {
    public static let all = ["status", "code", "message", "trace_id", "hint"]

    /// The members a body lacks (all of them when it is not a JSON object).
    public static func missing(from body: JSONValue?) -> [String] { all.filter { body?[$0] == nil } }
}
