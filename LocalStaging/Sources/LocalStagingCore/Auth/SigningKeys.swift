import Crypto
import Foundation

/// The keys tokens are signed with: one ES256 key (published in the JWKS
/// with its `kid`) and, when configured, the legacy HS256 shared secret,
/// which the API still accepts but the JWKS never shows.
public struct SigningKeys: Sendable {
    // Raw bytes, since swift-crypto's key types are not Sendable.
    private let privateRaw: Data
    private let secretBytes: Data?
    public let kid: String

    public init(es256: P256.Signing.PrivateKey, kid: String, legacySecret: String?) {
        self.privateRaw = es256.rawRepresentation
        self.kid = kid
        self.secretBytes = legacySecret.map { Data($0.utf8) }
    }

    public var es256: P256.Signing.PrivateKey { try! P256.Signing.PrivateKey(rawRepresentation: privateRaw) }
    public var legacySecret: SymmetricKey? { secretBytes.map { SymmetricKey(data: $0) } }

    /// Loads the private JWK from `file`, or makes one and writes it there (so
    /// the suite can sign tokens the API trusts).
    public static func load(file: String?, legacySecret: String?) throws -> SigningKeys {
        if let file, let data = FileManager.default.contents(atPath: file), let jwk = JSON.object(data),
           let d = (jwk["d"] as? String).flatMap(Base64URL.decode), let kid = jwk["kid"] as? String {
            return SigningKeys(es256: try P256.Signing.PrivateKey(rawRepresentation: d), kid: kid, legacySecret: legacySecret)
        }
        let key = P256.Signing.PrivateKey()
        let kid = Base64URL.encode(SHA256.hash(data: key.publicKey.rawRepresentation).prefix(12))
        let keys = SigningKeys(es256: key, kid: kid, legacySecret: legacySecret)
        if let file {
            try Data(JSON.data(keys.privateJWK)).write(to: URL(fileURLWithPath: file))
        }
        return keys
    }

    public var publicJWK: [String: Any] {
        let raw = es256.publicKey.rawRepresentation
        return ["kty": "EC", "crv": "P-256", "x": Base64URL.encode(raw.prefix(32)), "y": Base64URL.encode(raw.suffix(32)),
                "kid": kid, "alg": "ES256", "use": "sig", "key_ops": ["verify"]]
    }

    /// The private scalar, base64url (only the jwks-private-member fault publishes it).
    var privateD: String { Base64URL.encode(es256.rawRepresentation) }

    var privateJWK: [String: Any] {
        var jwk = publicJWK
        jwk["d"] = Base64URL.encode(es256.rawRepresentation)
        jwk["key_ops"] = ["sign"]
        return jwk
    }

    /// An ES256 JWS over `claims`.
    public func sign(_ claims: [String: Any]) -> String {
        let header = Base64URL.encode(JSON.data(["alg": "ES256", "typ": "JWT", "kid": kid]))
        let payload = Base64URL.encode(JSON.data(claims))
        let input = Data("\(header).\(payload)".utf8)
        let signature = (try? es256.signature(for: input).rawRepresentation) ?? Data()
        return "\(header).\(payload).\(Base64URL.encode(signature))"
    }
}
