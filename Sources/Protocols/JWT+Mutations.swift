import Crypto
import _CryptoExtras
import Foundation

/// One forged or broken token and why it must be refused.
public struct JWTMutation: Sendable {
    /// Families of attacks; the Staging suite runs one case per kind.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case brokenSignature = "broken signature"
        case changedPayload = "payload changed under the old signature"
        case algNone = "alg none"
        case weakSecret = "HS256 with an empty secret"
        case algorithmConfusion = "algorithm confusion (public key as HMAC secret)"
        case foreignKey = "attacker's key (jwk, jku, x5u)"
        case kidInjection = "kid injection"
        case psychicSignature = "ES256 all-zero signature"
        case headerTricks = "unknown crit, unknown kid"
        case malformed = "malformed structure"
        case claimTypes = "claims of the wrong type"
    }

    public let kind: Kind
    public let name: String
    public let token: String
    /// A URL the mutation asks the server to fetch (`jku`, `x5u`); it must never be fetched.
    public let lure: String?
}

extension JWT {
    /// The attacks that need no key (CONTRACT.md §3; RFC 8725 §2): every one
    /// must be refused with 401, whatever the staging.
    ///
    /// - Parameters:
    ///   - keys: the staging's JWKS, for the algorithm-confusion attack (its public keys as HMAC secrets).
    ///   - lureURL: a URL the suite serves, for `jku` and `x5u`.
    public func mutations(keys: [JSONWebKey], lureURL: String) -> [JWTMutation] {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let (h, p, s) = (parts[0], parts[1], parts[2])
        var list: [JWTMutation] = []
        var kind = JWTMutation.Kind.brokenSignature
        func add(_ name: String, _ token: String, lure: String? = nil) { list.append(JWTMutation(kind: kind, name: name, token: token, lure: lure)) }
        func withClaims(_ change: (inout [String: JSONValue]) -> Void) -> String {
            var claims = self.claims
            change(&claims)
            return h + "." + Base64URL.encode(Array(JSONValue.object(claims).text.utf8)) + "." + s
        }
        func withHeader(_ change: (inout [String: JSONValue]) -> Void, signature: String? = nil) -> String {
            var header = self.header
            change(&header)
            return Base64URL.encode(Array(JSONValue.object(header).text.utf8)) + "." + p + "." + (signature ?? s)
        }

        add("signature truncated", h + "." + p + "." + String(s.dropLast(4)))
        add("signature removed", h + "." + p + ".")
        kind = .changedPayload
        add("payload changed, old signature: sub", withClaims { $0["sub"] = .string(UUID().uuidString.lowercased()) })
        add("payload changed, old signature: role service_role", withClaims { $0["role"] = .string("service_role") })
        add("payload changed, old signature: is_anonymous false", withClaims { $0["is_anonymous"] = .bool(false) })
        kind = .algNone
        for alg in ["none", "None", "NONE", "nOnE"] {
            let header = Base64URL.encode(Array(JSONValue.object(["alg": .string(alg), "typ": .string("JWT")]).text.utf8))
            add("alg \(alg), no signature", header + "." + p + ".")
            add("alg \(alg), old signature", header + "." + p + "." + s)
        }
        kind = .weakSecret
        add("HS256 with an empty secret", JWTSigner.hmac(["alg": "HS256", "typ": "JWT"], claims, key: []))

        // Algorithm confusion: the public key, as the HMAC secret (RFC 8725 §2.1).
        kind = .algorithmConfusion
        for key in keys {
            for (form, pem) in Self.publicPEMs(key) {
                for newline in [false, true] {
                    for alg in ["HS256", "HS384", "HS512"] {
                        var header = self.header
                        header["alg"] = .string(alg)
                        add("\(alg) keyed with the JWKS key \(key.kid ?? "?") as \(form)\(newline ? " + newline" : "")",
                            JWTSigner.hmac(header, claims, key: Array((newline ? pem + "\n" : pem).utf8)))
                    }
                }
            }
        }

        kind = .foreignKey
        let attacker = P256.Signing.PrivateKey()
        let raw = attacker.publicKey.rawRepresentation
        let attackerJWK: JSONValue = .object(["kty": "EC", "crv": "P-256", "x": .string(Base64URL.encode(raw.prefix(32))),
                                             "y": .string(Base64URL.encode(raw.suffix(32))), "kid": "attacker"])
        add("embedded jwk header with the attacker's key",
            JWTSigner.es256(["alg": "ES256", "typ": "JWT", "kid": "attacker", "jwk": attackerJWK], claims, key: attacker))
        add("jku pointing at a URL the suite serves",
            JWTSigner.es256(["alg": "ES256", "typ": "JWT", "kid": "attacker", "jku": .string(lureURL + "/jwks.json")], claims, key: attacker),
            lure: lureURL + "/jwks.json")
        add("x5u pointing at a URL the suite serves",
            JWTSigner.es256(["alg": "ES256", "typ": "JWT", "kid": "attacker", "x5u": .string(lureURL + "/cert.pem")], claims, key: attacker),
            lure: lureURL + "/cert.pem")

        // kid injections, each signed with the key the injection would select.
        kind = .kidInjection
        for (label, kid, key) in [("empty", "", ""), ("path traversal to /dev/null", "../../../../../../../dev/null", ""),
                                  ("command |sleep 10", "x|sleep 10", "x|sleep 10"), ("command ;sleep 10", "x; sleep 10 #", ""),
                                  ("SQL quote", "x' OR '1'='1", "x' OR '1'='1"), ("SQL union", "x' UNION SELECT 'secret' --", "secret")] {
            add("kid injection: \(label)", JWTSigner.hmac(["alg": "HS256", "typ": "JWT", "kid": .string(kid)], claims, key: Array(key.utf8)))
        }

        // CVE-2022-21449: r = s = 0 verifies on broken ECDSA code.
        kind = .psychicSignature
        add("ES256 all-zero signature (raw)", withHeader({ _ in }, signature: Base64URL.encode([UInt8](repeating: 0, count: 64))))
        add("ES256 all-zero signature (DER)", withHeader({ _ in }, signature: Base64URL.encode([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00])))
        kind = .headerTricks
        add("unknown crit header", withHeader { $0["crit"] = .array(["x-unknown"]); $0["x-unknown"] = .bool(true) })
        add("unknown kid", withHeader { $0["kid"] = .string("no-such-key-\(UUID().uuidString.prefix(8))") })
        kind = .malformed
        add("two parts", h + "." + p)
        add("four parts", compact + "." + s)
        add("base64 padding", h + "==." + p + "=." + s)
        add("header not JSON", Base64URL.encode(Array("not json".utf8)) + "." + p + "." + s)
        add("empty token", "")

        kind = .claimTypes
        for claim in claims.keys.sorted() {
            // A value the claim already has would leave the token intact: not a mutation.
            for (label, value) in [("null", JSONValue.null), ("true", .bool(true)), ("0", .number(0)), ("\"x\"", .string("x"))] where claims[claim] != value {
                add("claim \(claim) = \(label), old signature", withClaims { $0[claim] = value })
            }
        }
        return list
    }

    /// A JWKS key as the PEM texts an HMAC-confused verifier might use.
    static func publicPEMs(_ key: JSONWebKey) -> [(String, String)] {
        switch key.kty {
        case "EC":
            guard let x = key.fields["x"]?.string.flatMap(Base64URL.decode), let y = key.fields["y"]?.string.flatMap(Base64URL.decode),
                  let publicKey = try? P256.Signing.PublicKey(rawRepresentation: x + y) else { return [] }
            return [("SPKI PEM", publicKey.pemRepresentation)]
        case "RSA":
            guard let n = key.fields["n"]?.string.flatMap(Base64URL.decode), let e = key.fields["e"]?.string.flatMap(Base64URL.decode),
                  let publicKey = try? _RSA.Signing.PublicKey(n: n, e: e) else { return [] }
            return [("SPKI PEM", publicKey.pemRepresentation), ("PKCS#1 PEM", publicKey.pkcs1PEMRepresentation)]
        default:
            return []
        }
    }
}
