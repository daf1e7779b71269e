/// How one closure (a streamed message, checked) ended. Only `.success`
/// counts as success; `.silentTruncation`, `.violation` and `.lostOrDoubled`
/// break the contract whatever else happened; the rest are failures that a
/// fault may explain (a refusal, a transport error, a stream that ended with
/// an error frame).
public enum ClosureOutcome: Sendable, Equatable {
    case success
    /// An HTTP refusal with the K1 body: status and its code.
    case refused(status: Int, code: String)
    /// An HTTP refusal without the K1 body (a proxy's HTML 502, say): never an ordinary refusal.
    case refusedWithoutK1(status: Int)
    /// The request or the stream broke at the transport (connection refused, reset, a deadline).
    case transportError(String)
    /// The stream ended with the contract's error frame.
    case errorFrame(String)
    /// 200, then the stream closed without `final` or an error frame: a silent truncated success.
    case silentTruncation
    /// A stream invariant (order, seq, ids, contents) broke.
    case violation(String)

    /// The error mix's key.
    public var kind: String {
        switch self {
        case .success: "success"
        case let .refused(status, code): "\(status) \(code.isEmpty ? "-" : code)"
        case let .refusedWithoutK1(status): "\(status) without the K1 body"
        case let .transportError(text): "transport: " + Self.short(text)
        case .errorFrame: "error frame"
        case .silentTruncation: "silent truncation"
        case .violation: "violation"
        }
    }

    /// Breaks the contract whatever fault was injected.
    public var breaksContract: Bool {
        switch self {
        case .silentTruncation, .violation: true
        default: false
        }
    }

    /// The error's kind without its details: "curl error 7: Couldn't connect to server".
    static func short(_ text: String) -> String {
        if let range = text.range(of: "curl error ") {
            return String(text[range.lowerBound...].prefix { $0 != ";" }.prefix(72))
        }
        return String(text.split(separator: ":").prefix(2).joined(separator: ":").prefix(72))
    }
}
