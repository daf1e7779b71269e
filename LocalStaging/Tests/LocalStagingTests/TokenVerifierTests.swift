import Crypto
import Foundation
import Testing
@testable import LocalStagingCore

@Suite("TokenVerifier")
struct TokenVerifierTests {
    let keys = SigningKeys(es256: P256.Signing.PrivateKey(), kid: "test-kid", legacySecret: "legacy-secret-of-thirty-two-bytes!!")
    var verifier: TokenVerifier { TokenVerifier(keys: keys, issuer: "http://local/auth/v1", leeway: 30) }
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func claims(_ changes: [String: Any] = [:]) -> [String: Any] {
        var claims: [String: Any] = [
            "iss": "http://local/auth/v1", "sub": UUID().uuidString, "aud": "authenticated", "role": "authenticated",
            "exp": 1_800_003_600, "iat": 1_800_000_000, "session_id": UUID().uuidString, "is_anonymous": true,
        ]
        for (key, value) in changes { claims[key] = value is NSNull ? nil : value }
        return claims
    }

    func hs256(_ claims: [String: Any], secret: String = "legacy-secret-of-thirty-two-bytes!!", header: [String: Any] = ["alg": "HS256", "typ": "JWT"]) -> String {
        let input = Base64URL.encode(JSON.data(header)) + "." + Base64URL.encode(JSON.data(claims))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return input + "." + Base64URL.encode(Data(mac))
    }

    func code(_ token: String) -> String? {
        do { _ = try verifier.verify(token, now: now); return nil } catch { return error.code }
    }

    @Test("a token it signed verifies, ES256 and legacy HS256")
    func valid() throws {
        let verified = try verifier.verify(keys.sign(claims()), now: now)
        #expect(verified.isAnonymous)
        #expect(code(hs256(claims())) == nil)
    }

    @Test("each fault has its code", arguments: [
        ("alg none", "auth.unsupported_alg"), ("HS256 with the wrong secret", "auth.invalid_signature"),
        ("unknown kid", "auth.invalid_signature"), ("signature of another key", "auth.invalid_signature"),
        ("expired beyond the leeway", "auth.token_expired"), ("iat in the future beyond the leeway", "auth.token_not_yet_valid"),
        ("nbf in the future", "auth.token_not_yet_valid"), ("wrong aud", "auth.invalid_audience"), ("wrong iss", "auth.invalid_issuer"),
        ("no exp", "auth.malformed_token"), ("exp as a string", "auth.malformed_token"), ("two parts", "auth.malformed_token"),
        ("header not JSON", "auth.malformed_token"), ("crit header", "auth.malformed_token"),
    ])
    func faults(_ fault: String, _ expected: String) {
        let token: String
        switch fault {
        case "alg none": token = Base64URL.encode(JSON.data(["alg": "none"])) + "." + Base64URL.encode(JSON.data(claims())) + "."
        case "HS256 with the wrong secret": token = hs256(claims(), secret: "guess")
        case "unknown kid": token = hs256(claims(), header: ["alg": "ES256", "kid": "other"])
        case "signature of another key":
            let other = SigningKeys(es256: P256.Signing.PrivateKey(), kid: "test-kid", legacySecret: nil)
            token = other.sign(claims())
        case "expired beyond the leeway": token = keys.sign(claims(["exp": 1_800_000_000 - 31]))
        case "iat in the future beyond the leeway": token = keys.sign(claims(["iat": 1_800_000_031]))
        case "nbf in the future": token = keys.sign(claims(["nbf": 1_800_000_100]))
        case "wrong aud": token = keys.sign(claims(["aud": "service"]))
        case "wrong iss": token = keys.sign(claims(["iss": "http://evil/auth/v1"]))
        case "no exp": token = keys.sign(claims(["exp": NSNull()]))
        case "exp as a string": token = keys.sign(claims(["exp": "1800003600"]))
        case "two parts": token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0"
        case "header not JSON": token = Base64URL.encode(Data("not json".utf8)) + ".e30.c2ln"
        default: token = Base64URL.encode(JSON.data(["alg": "ES256", "kid": "test-kid", "crit": ["exp"]])) + ".e30.c2ln"
        }
        #expect(code(token) == expected, "\(fault)")
    }

    @Test("inside the leeway an expired token is still accepted")
    func leeway() {
        #expect(code(keys.sign(claims(["exp": 1_800_000_000 - 20]))) == nil)
    }

    @Test("the JWKS shows the public key only")
    func jwks() {
        let jwk = keys.publicJWK
        #expect(jwk["d"] == nil)
        #expect(jwk["kid"] as? String == "test-kid")
        #expect(jwk["alg"] as? String == "ES256")
    }
}
