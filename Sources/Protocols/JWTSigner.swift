import Crypto
import Foundation

/// Builds compact JWS tokens from header and claims: HMAC (HS256/384/512)
/// with any key bytes, ES256 with a P-256 private key, or an arbitrary
/// signature. The attacks and the claim checks are made of these.
public enum JWTSigner {
    public static func encode(_ header: [String: JSONValue], _ claims: [String: JSONValue]) -> String {
        Base64URL.encode(Array(JSONValue.object(header).text.utf8)) + "." + Base64URL.encode(Array(JSONValue.object(claims).text.utf8))
    }

    public static func hmac(_ header: [String: JSONValue], _ claims: [String: JSONValue], key: [UInt8]) -> String {
        let input = encode(header, claims)
        let symmetric = SymmetricKey(data: Data(key))
        let mac: [UInt8] = switch header["alg"]?.string {
        case "HS384": Array(HMAC<SHA384>.authenticationCode(for: Data(input.utf8), using: symmetric))
        case "HS512": Array(HMAC<SHA512>.authenticationCode(for: Data(input.utf8), using: symmetric))
        default: Array(HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: symmetric))
        }
        return input + "." + Base64URL.encode(mac)
    }

    public static func es256(_ header: [String: JSONValue], _ claims: [String: JSONValue], key: P256.Signing.PrivateKey) -> String {
        let input = encode(header, claims)
        let signature = (try? key.signature(for: Data(input.utf8)).rawRepresentation) ?? Data()
        return input + "." + Base64URL.encode(signature)
    }

    /// A private key from a JWK (`{"kty":"EC","crv":"P-256","d":...}`) as `ANON_E2E_SIGNING_JWK` holds it.
    public static func privateKey(jwk: String) -> (key: P256.Signing.PrivateKey, kid: String?)? {
        guard let object = JSONValue.parse(jwk)?.object, let d = object["d"]?.string.flatMap(Base64URL.decode),
              let key = try? P256.Signing.PrivateKey(rawRepresentation: d) else { return nil }
        return (key, object["kid"]?.string)
    }
}
