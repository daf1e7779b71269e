import Crypto
import Foundation

/// A secret known only by its hash: the tokens a test process handled,
/// which the scan (a later process) must find without ever storing them.
public struct SecretFingerprint: Codable, Sendable, Equatable {
    public var label: String
    public var form: String
    public var length: Int
    /// FNV-1a of the first `prefixLength` bytes (cheap enough to take at every
    /// offset of a file), then SHA-256 of the whole form; both hex.
    public var prefix: String
    public var full: String

    public static let prefixLength = 8

    public init(label: String, form: String, text: String) {
        let bytes = Array(text.utf8)
        self.label = label
        self.form = form
        length = bytes.count
        prefix = Self.prefixHash(bytes.prefix(Self.prefixLength))
        full = Self.hash(bytes[...])
    }

    public static func prefixHash(_ bytes: ArraySlice<UInt8>) -> String {
        String(prefixValue(bytes), radix: 16)
    }

    public static func prefixValue(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return value
    }

    public static func hash(_ bytes: ArraySlice<UInt8>) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Every form of a secret, fingerprinted.
    public static func all(label: String, secret: String) -> [SecretFingerprint] {
        SecretForms.forms(of: secret).map { SecretFingerprint(label: label, form: $0.form, text: $0.text) }
    }
}
