/// Why a transfer did not complete. Each case says what was expected, what
/// came, and where.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case connectTimeout(url: String, after: Duration)
    case headTimeout(url: String, after: Duration)
    case totalTimeout(url: String, after: Duration, receivedBytes: Int64)
    case idleTimeout(url: String, after: Duration, receivedBytes: Int64)
    case bodyTooLarge(url: String, limit: Int)
    case failed(url: String, code: Int, message: String)
    case cancelled(url: String)

    public var description: String {
        switch self {
        case let .connectTimeout(url, after):
            "connect phase: no connection to \(url) within \(after)"
        case let .headTimeout(url, after):
            "head phase: \(url) accepted the connection but sent no status line and headers within \(after)"
        case let .totalTimeout(url, after, bytes):
            "total deadline: \(url) was still open after \(after) (\(bytes) body bytes had arrived); expected it to end"
        case let .idleTimeout(url, after, bytes):
            "idle phase: \(url) sent no byte for \(after) (\(bytes) body bytes had arrived); expected the stream to go on or end"
        case let .bodyTooLarge(url, limit):
            "\(url) sent a body over the \(limit)-byte limit"
        case let .failed(url, code, message):
            "\(url): curl error \(code): \(message)"
        case let .cancelled(url):
            "\(url): cancelled"
        }
    }
}
