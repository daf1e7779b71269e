import Foundation
import Protocols
import Transport

/// Validly signed tokens whose only fault is a claim (or none, near the
/// edges of the leeway): the only way to prove a server checks claims at
/// all, since every unsigned mutation fails on its signature first.
public struct ClaimFault: Sendable {
    public enum Case: String, Sendable, CaseIterable {
        case control = "well-formed (control)"
        case expiredBeyondLeeway = "expired beyond the leeway"
        case expiredInsideLeeway = "expired inside the leeway"
        case fortySecondsLeft = "two-thirds of a minute left"
        case notBeforeAhead = "nbf ahead beyond the leeway"
        case issuedAhead = "iat ahead beyond the leeway"
        case wrongAudience = "wrong aud"
        case wrongIssuer = "wrong iss"
        case noExpiry = "no exp"
        case expiryAsString = "exp as a string"
    }

    public let name: String
    public let token: String
    /// 200 when the token must be accepted; 401 otherwise.
    public let expectedStatus: Int
    /// The codes of CONTRACT.md §3 that name the fault (a refusal); empty for an accepted token.
    public let expectedCodes: Set<ContractCode>
}

/// How the suite signs: the private JWK the API trusts (ES256), or the legacy HS256 secret.
public enum TokenSigningKey: Sendable {
    case es256(jwk: String)
    case hs256(secret: String)

    public init?(configuration: Configuration) {
        if let jwk = configuration[.signingJWK], JWTSigner.privateKey(jwk: jwk) != nil {
            self = .es256(jwk: jwk)
        } else if let secret = configuration[.supabaseJWTSecret] {
            self = .hs256(secret: secret)
        } else {
            return nil
        }
    }

    public func sign(_ claims: [String: JSONValue]) -> String {
        switch self {
        case let .es256(jwk):
            let (key, kid) = JWTSigner.privateKey(jwk: jwk)!
            var header: [String: JSONValue] = ["alg": "ES256", "typ": "JWT"]
            if let kid { header["kid"] = .string(kid) }
            return JWTSigner.es256(header, claims, key: key)
        case let .hs256(secret):
            return JWTSigner.hmac(["alg": "HS256", "typ": "JWT"], claims, key: Array(secret.utf8))
        }
    }
}

extension ClaimFault {
    /// The faults, around `now` taken from the server's `Date` header so that
    /// clock skew between machines cannot make them flaky.
    /// - Parameter issuer: the project's (nil when it issues none: `.wrongIssuer` then has nothing to get wrong).
    public static func make(_ fault: Case, base claims: [String: JSONValue], now: Int, leeway: Int, issuer: String?, key: TokenSigningKey) -> ClaimFault {
        func token(_ change: (inout [String: JSONValue]) -> Void) -> String {
            var claims = claims
            claims["iat"] = .number(Double(now - 600))
            claims["exp"] = .number(Double(now + 3000))
            change(&claims)
            return key.sign(claims)
        }
        switch fault {
        case .control:
            return ClaimFault(name: fault.rawValue, token: token { _ in }, expectedStatus: 200, expectedCodes: [])
        case .expiredBeyondLeeway:
            return ClaimFault(name: "expired \(leeway + 60) s ago", token: token { $0["exp"] = .number(Double(now - leeway - 60)) },
                              expectedStatus: 401, expectedCodes: [.tokenExpired])
        case .expiredInsideLeeway:
            return ClaimFault(name: "expired \(leeway / 3) s ago (leeway \(leeway) s)", token: token { $0["exp"] = .number(Double(now - leeway / 3)) },
                              expectedStatus: 200, expectedCodes: [])
        case .fortySecondsLeft:
            return ClaimFault(name: fault.rawValue, token: token { $0["exp"] = .number(Double(now + 40)) }, expectedStatus: 200, expectedCodes: [])
        case .notBeforeAhead:
            return ClaimFault(name: "nbf \(leeway + 120) s ahead", token: token { $0["nbf"] = .number(Double(now + leeway + 120)) },
                              expectedStatus: 401, expectedCodes: [.tokenNotYetValid])
        case .issuedAhead:
            return ClaimFault(name: "iat \(leeway + 120) s ahead", token: token { $0["iat"] = .number(Double(now + leeway + 120)) },
                              expectedStatus: 401, expectedCodes: [.tokenNotYetValid])
        case .wrongAudience:
            return ClaimFault(name: fault.rawValue, token: token { $0["aud"] = "service" }, expectedStatus: 401, expectedCodes: [.invalidAudience])
        case .wrongIssuer:
            return ClaimFault(name: fault.rawValue, token: token { $0["iss"] = .string((issuer ?? "https://project.supabase.co/auth/v1").replacingOccurrences(of: "://", with: "://evil.")) },
                              expectedStatus: 401, expectedCodes: [.invalidIssuer])
        case .noExpiry:
            return ClaimFault(name: fault.rawValue, token: token { $0.removeValue(forKey: "exp") }, expectedStatus: 401,
                              expectedCodes: [.malformedToken, .tokenExpired])
        case .expiryAsString:
            return ClaimFault(name: fault.rawValue, token: token { $0["exp"] = .string(String(now + 3000)) }, expectedStatus: 401,
                              expectedCodes: [.malformedToken, .tokenExpired])
        }
    }

    /// The server's clock, from an answer's `Date` header (RFC 9110 IMF-fixdate).
    public static func serverTime(_ headers: HTTPHeaders) -> Int? {
        guard let value = headers["Date"] else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { Int($0.timeIntervalSince1970) }
    }
}
