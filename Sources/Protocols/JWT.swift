import Foundation

/// A JWS in compact form, decoded but not trusted: header, claims and the
/// signature bytes, as they came.
public struct JWT: Sendable, CustomStringConvertible {
    public enum DecodeError: Error, Sendable, CustomStringConvertible {
        case parts(Int)
        case encoding(String)
        case notJSON(String)

        public var description: String {
            switch self {
            case let .parts(count): "a compact JWS has 3 parts, this one has \(count)"
            case let .encoding(part): "the \(part) is not base64url"
            case let .notJSON(part): "the \(part) is not a JSON object"
            }
        }
    }

    public let compact: String
    public let header: [String: JSONValue]
    public let claims: [String: JSONValue]
    public let signature: [UInt8]

    public init(_ compact: String) throws(DecodeError) {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .parts(parts.count) }
        guard let headerBytes = Base64URL.decode(parts[0]) else { throw .encoding("header") }
        guard let claimBytes = Base64URL.decode(parts[1]) else { throw .encoding("claims") }
        guard let signature = Base64URL.decode(parts[2]) else { throw .encoding("signature") }
        guard let header = JSONValue.parse(headerBytes)?.object else { throw .notJSON("header") }
        guard let claims = JSONValue.parse(claimBytes)?.object else { throw .notJSON("claims") }
        self.compact = compact
        self.header = header
        self.claims = claims
        self.signature = signature
    }

    /// `header.claims.` of the compact form: what a signature covers.
    public var signingInput: [UInt8] {
        Array(compact.split(separator: ".", omittingEmptySubsequences: false).prefix(2).joined(separator: ".").utf8)
    }

    public var algorithm: String? { header["alg"]?.string }
    public var keyID: String? { header["kid"]?.string }

    /// The form every artifact shows: header and claims readable, no signature.
    public var redacted: String {
        compact.split(separator: ".", omittingEmptySubsequences: false).prefix(2).joined(separator: ".") + ".<redacted>"
    }

    public var description: String { redacted }
}

/// base64url without padding (RFC 7515 §2).
public enum Base64URL {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        guard text.utf8.allSatisfy({ $0 == 45 || $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }) else {
            return nil
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        switch base64.count % 4 {
        case 0: break
        case 2: base64 += "=="
        case 3: base64 += "="
        default: return nil
        }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
