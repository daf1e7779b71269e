#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Protocols

/// Masks secrets before anything reaches a disk, a log or a report:
/// - a JWT keeps its header and claims, its signature becomes `<redacted>`;
/// - values of `apikey`, `Authorization`, cookies, refresh tokens and
///   passwords, as headers or JSON keys, become `<redacted>`;
/// - passwords in PostgreSQL connection strings become `***`;
/// - every registered secret (the anon key, the JWT secret, refresh tokens)
///   becomes `<redacted>` wherever it appears, raw or JSON-escaped.
public final class Redactor: SecretKeeper {
    private let secrets: Mutex<Set<String>>
    /// Where the hashes of the run's tokens go, for the secret scan that runs after this process.
    let fingerprintFile: URL?

    /// What `mightHoldSecret` looks for: the triggers and the lower-cased forms of the secrets.
    private let needles: Mutex<NeedleSet>

    public init(secrets: [String] = [], fingerprintFile: URL? = nil) {
        let kept = Set(secrets.filter { $0.count >= 4 })
        self.secrets = Mutex(kept)
        self.needles = Mutex(NeedleSet(Self.triggers + kept.flatMap(Self.needles(of:))))
        self.fingerprintFile = fingerprintFile
    }

    static func needles(of secret: String) -> [[UInt8]] {
        ([secret] + SecretForms.forms(of: secret).map(\.text)).map { Array($0.lowercased().utf8) }
    }

    /// Adds a value to mask from now on (a refresh token, a forged key); the
    /// secret scan will look for it too.
    public func register(_ secret: String, label: String = "a registered secret") {
        guard secret.count >= 4 else { return }
        let added = secrets.withLock { $0.insert(secret).inserted }
        if added {
            needles.withLock { set in Self.needles(of: secret).forEach { set.insert($0) } }
            fingerprint(secret, label: label)
        }
    }

    /// A value the redactor leaves alone but the secret scan must never find
    /// whole (an access token: artifacts keep its header and claims).
    public func fingerprint(_ secret: String, label: String) {
        guard let fingerprintFile else { return }
        let encoder = JSONEncoder()
        let lines = SecretFingerprint.all(label: label, secret: secret).compactMap { try? encoder.encode($0) }
        guard !lines.isEmpty else { return }
        Self.fileLock.withLock { _ in
            try? FileManager.default.createDirectory(at: fingerprintFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: fingerprintFile.path) {
                _ = FileManager.default.createFile(atPath: fingerprintFile.path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            guard let handle = try? FileHandle(forWritingTo: fingerprintFile) else { return }
            handle.seekToEndOfFile()
            for line in lines { handle.write(line + Data([10])) }
            try? handle.close()
        }
    }

    private static let fileLock = Mutex(())

    public func redact(_ text: String) -> String {
        var text = text
        // Longest first, so a secret that contains another is masked whole.
        let forms = secrets.withLock({ $0 }).flatMap { secret in [secret] + SecretForms.forms(of: secret).map(\.text) }
        for form in Set(forms).sorted(by: { $0.count > $1.count }) {
            text = text.replacingOccurrences(of: form, with: "<redacted>")
        }
        for rule in Self.rules {
            text = rule.pattern.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: rule.template)
        }
        return text
    }

    /// Whether text could hold something `redact` masks: a JWT's start, a
    /// sensitive name (any case), a connection string, or a registered secret
    /// in any of its forms. One byte pass (`NeedleSet`), so text without any of
    /// them (most stream output) skips the regular expressions.
    public func mightHoldSecret(_ bytes: [UInt8]) -> Bool {
        let set = needles.withLock { $0 }
        return bytes.withUnsafeBufferPointer { set.occurs(in: $0) }
    }

    /// Lower-case starts of what the rules below match.
    private static let triggers: [[UInt8]] = ["eyj", "apikey", "api-key", "api_key", "authorization", "cookie", "refresh_token",
                                              "password", "client_secret", "service_role", "jwt_secret", "postgres"].map { Array($0.utf8) }

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
}
