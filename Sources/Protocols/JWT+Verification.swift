import Crypto
import _CryptoExtras
import Foundation

/// A public key of a JWKS (RFC 7517), as published.
public struct JSONWebKey: Sendable, Equatable {
    public let fields: [String: JSONValue]
    public var kid: String? { fields["kid"]?.string }
    public var kty: String? { fields["kty"]?.string }
    public var alg: String? { fields["alg"]?.string }
    public init(_ fields: [String: JSONValue]) { self.fields = fields }
}

/// How a signature was found valid.
public enum SignatureCheck: Sendable, Equatable {
    case jwks(alg: String, kid: String)
    case legacySecret
}

public enum SignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    case noKey(kid: String?)
    case unsupportedAlgorithm(String?)
    case invalid(alg: String)
    case badKey(String)

    public var description: String {
        switch self {
        case let .noKey(kid): "no JWKS key has kid \(kid ?? "(none)")"
        case let .unsupportedAlgorithm(alg): "alg \(alg ?? "(none)") is neither ES256, RS256 (JWKS) nor HS256 (legacy secret)"
        case let .invalid(alg): "the \(alg) signature does not verify"
        case let .badKey(reason): "the JWKS key is unusable: \(reason)"
        }
    }
}

extension JWT {
    /// Verifies ES256 and RS256 against the JWKS key named by `kid`, or HS256
    /// against the legacy secret.
    public func verifySignature(keys: [JSONWebKey], legacySecret: String?) throws(SignatureError) -> SignatureCheck {
        switch algorithm {
        case "HS256":
            guard let legacySecret else { throw .unsupportedAlgorithm("HS256 (no SUPABASE_JWT_SECRET given)") }
            let valid = HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput,
                                                                using: SymmetricKey(data: Data(legacySecret.utf8)))
            guard valid else { throw .invalid(alg: "HS256") }
            return .legacySecret
        case "ES256", "RS256":
            guard let key = keys.first(where: { $0.kid == keyID && keyID != nil }) else { throw .noKey(kid: keyID) }
            let alg = algorithm!
            if alg == "ES256" {
                guard let x = key.fields["x"]?.string.flatMap(Base64URL.decode), let y = key.fields["y"]?.string.flatMap(Base64URL.decode),
                      let publicKey = try? P256.Signing.PublicKey(rawRepresentation: x + y) else { throw .badKey("EC P-256 x/y") }
                guard signature.count == 64, let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature),
                      publicKey.isValidSignature(ecdsa, for: signingInput) else { throw .invalid(alg: alg) }
            } else {
                guard let n = key.fields["n"]?.string.flatMap(Base64URL.decode), let e = key.fields["e"]?.string.flatMap(Base64URL.decode),
                      let publicKey = try? _RSA.Signing.PublicKey(n: n, e: e) else { throw .badKey("RSA n/e") }
                guard publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: signingInput, padding: .insecurePKCS1v1_5)
                else { throw .invalid(alg: alg) }
            }
            return .jwks(alg: alg, kid: keyID ?? "")
        default:
            throw .unsupportedAlgorithm(algorithm)
        }
    }
}
