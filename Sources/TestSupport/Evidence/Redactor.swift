import Foundation
import Synchronization

/// Masks secrets before anything reaches a disk, a log or a report:
/// - a JWT keeps its header and claims, its signature becomes `<redacted>`;
/// - values of `apikey`, `Authorization`, cookies, refresh tokens and
///   passwords, as headers or JSON keys, become `<redacted>`;
/// - passwords in PostgreSQL connection strings become `***`;
/// - every registered secret (the anon key, the JWT secret, refresh tokens)
///   becomes `<redacted>` wherever it appears, raw or JSON-escaped.
public final class Redactor: Sendable {
    public static let shared = Redactor(secrets: Configuration.current.secrets)

    private let secrets: Mutex<Set<String>>

    public init(secrets: [String] = []) {
        self.secrets = Mutex(Set(secrets.filter { $0.count >= 4 }))
    }

    /// Adds a value to mask from now on (a refresh token, a forged key).
    public func register(_ secret: String) {
        guard secret.count >= 4 else { return }
        secrets.withLock { _ = $0.insert(secret) }
    }

    public func redact(_ text: String) -> String {
        var text = text
        // Longest first, so a secret that contains another is masked whole.
        for secret in secrets.withLock({ $0 }).sorted(by: { $0.count > $1.count }) {
            text = text.replacingOccurrences(of: secret, with: "<redacted>")
            let escaped = Self.jsonEscaped(secret)
            if escaped != secret { text = text.replacingOccurrences(of: escaped, with: "<redacted>") }
        }
        for rule in Self.rules {
            text = rule.pattern.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: rule.template)
        }
        return text
    }

    public func redact(_ bytes: [UInt8]) -> [UInt8] {
        Array(redact(String(decoding: bytes, as: UTF8.self)).utf8)
    }

    private struct Rule: @unchecked Sendable {
        // NSRegularExpression is immutable once built and safe to share across threads.
        let pattern: NSRegularExpression
        let template: String
        init(_ pattern: String, _ template: String) {
            self.pattern = try! NSRegularExpression(pattern: pattern)
            self.template = template
        }
    }

    private static let sensitiveNames = "apikey|api[-_]key|authorization|x-api-key|cookie|set-cookie|refresh_token|password|client_secret|service_role_key|jwt_secret"

    private static let rules: [Rule] = [
        // Header lines and query-like pairs: `Authorization: Bearer x`, `apikey=x`.
        Rule(#"(?im)^(\s*(?:\#(sensitiveNames))\s*[:=]\s*(?:Bearer\s+)?)\S.*$"#, "$1<redacted>"),
        // JSON keys: "apikey": "x".
        Rule(#"(?i)("(?:\#(sensitiveNames))"\s*:\s*")(?:Bearer\s+)?(?:[^"\\]|\\.)+(")"#, "$1<redacted>$2"),
        // JWS compact: keep header.claims, drop the signature.
        Rule(#"(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.)[A-Za-z0-9_-]+"#, "$1<redacted>"),
        // Connection strings, URI and keyword forms.
        Rule(#"(postgres(?:ql)?://[^:/@\s]+:)[^@\s]+(@)"#, "$1***$2"),
        Rule(#"(?i)(\bpassword\s*=\s*)('[^']*'|[^\s'"]+)"#, "$1***"),
    ]

    private static func jsonEscaped(_ text: String) -> String {
        guard let data = try? JSONEncoder().encode(text) else { return text }
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
