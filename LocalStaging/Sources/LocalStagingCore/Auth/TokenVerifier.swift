import Crypto
import Synchronization
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The claims of a verified access token.
public struct VerifiedToken: Sendable, Equatable {
    public var userID: UUID
    public var sessionID: UUID
    public var isAnonymous: Bool
    public var email: String?
    /// Issued well after the sign-in (`iat` 3 s or more past `amr`'s timestamp; a sign-in's own
    /// can be a second late): a refreshed session's token.
    public var refreshed = false
}

/// Access-token verification after RFC 8725: an algorithm allow-list (ES256
/// from our key set, HS256 only with the legacy secret), the key chosen by
/// `kid` from our own keys only (never from `jku`, `x5u` or an embedded
/// `jwk`), unknown `crit` refused, then `exp`, `nbf`, `iat` with leeway,
/// `aud`, `iss`. Every failure is a 401 code, never a crash.
public struct TokenVerifier: Sendable {
    public let keys: SigningKeys
    /// nil: the deployment issues no `iss`, and none is checked.
    public let issuer: String?
    public let leeway: Int
    /// Checks broken on purpose (LOCAL_STAGING_FAULTS), for ci/prove.
    public let faults: Set<Fault>
    /// Refusals by the user a token names (the lockout fault only).
    let refusals = RefusalCounter()

    public init(keys: SigningKeys, issuer: String?, leeway: Int, faults: Set<Fault> = []) {
        self.keys = keys
        self.issuer = issuer
        self.leeway = leeway
        self.faults = faults
    }

    public func verify(_ token: String, now: Date = Date()) throws(APIError) -> VerifiedToken {
        guard faults.contains(.lockoutAfterBadTokens) else { return try check(token, now: now) }
        let named = token.split(separator: ".", omittingEmptySubsequences: false).dropFirst().first
            .flatMap { Base64URL.decode($0) }.flatMap(JSON.object)?["sub"] as? String
        do throws(APIError) {
            let verified = try check(token, now: now)
            if refusals.count(named) >= 20 { throw APIError.unauthorized("auth.invalid_signature", "locked out") }
            return verified
        } catch {
            refusals.add(named)
            throw error
        }
    }

    private func check(_ token: String, now: Date) throws(APIError) -> VerifiedToken {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count != 3, faults.contains(.malformedTokenServerError) {
            throw APIError(.internalServerError, "internal_error", "the token could not be split", hint: "Try again.")
        }
        guard parts.count == 3,
              let headerData = Base64URL.decode(parts[0]), let header = JSON.object(headerData),
              let claimsData = Base64URL.decode(parts[1]), let claims = JSON.object(claimsData),
              let signature = Base64URL.decode(parts[2])
        else { throw .unauthorized("auth.malformed_token", "the token is not three base64url parts of JSON") }

        guard let alg = header["alg"] as? String else { throw .unauthorized("auth.malformed_token", "the token header has no alg") }
        if header["crit"] != nil { throw .unauthorized("auth.malformed_token", "the token names critical header parameters this server does not understand") }
        let signingInput = Data(parts[0].utf8) + Data(".".utf8) + Data(parts[1].utf8)
        if faults.contains(.kidSleeps), (header["kid"] as? String)?.contains("sleep") == true { Thread.sleep(forTimeInterval: 2) }
        if faults.contains(.jkuFetched), let jku = (header["jku"] as? String).flatMap(URL.init(string:)) {
            Task.detached { _ = try? await URLSession.shared.data(from: jku) }
        }
        let unchecked = (faults.contains(.algNoneAccepted) && alg.lowercased() == "none")
            || (faults.contains(.signaturesUnchecked) && (alg == "ES256" || alg == "HS256"))
        switch unchecked ? "unchecked" : alg {
        case "unchecked":
            break
        case "ES256":
            guard let kid = header["kid"] as? String, kid == keys.kid else {
                throw .unauthorized("auth.invalid_signature", "no key with that kid")
            }
            guard signature.count == 64, let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature),
                  keys.es256.publicKey.isValidSignature(ecdsa, for: signingInput)
            else { throw .unauthorized("auth.invalid_signature", "the signature does not verify") }
        case "HS256" where keys.legacySecret != nil:
            guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: keys.legacySecret!) else {
                throw .unauthorized("auth.invalid_signature", "the signature does not verify")
            }
        default:
            throw .unauthorized("auth.unsupported_alg", "alg \(alg) is not accepted")
        }

        let clock = now.timeIntervalSince1970
        guard let exp = claims["exp"] as? NSNumber, !(claims["exp"] is Bool) else {
            throw .unauthorized("auth.malformed_token", "the token has no numeric exp")
        }
        if exp.doubleValue <= clock - Double(leeway) { throw .unauthorized("auth.token_expired", "the token expired") }
        for name in ["nbf", "iat"] {
            guard let value = claims[name] else { continue }
            guard let number = value as? NSNumber, !(value is Bool) else { throw .unauthorized("auth.malformed_token", "\(name) is not a number") }
            if name == "nbf", faults.contains(.notBeforeUnchecked) { continue }
            if number.doubleValue > clock + Double(leeway) { throw .unauthorized("auth.token_not_yet_valid", "the token is not valid yet (\(name))") }
        }
        let audience = (claims["aud"] as? String).map { [$0] } ?? (claims["aud"] as? [String]) ?? []
        guard audience.contains("authenticated") || faults.contains(.audienceUnchecked) else { throw .unauthorized("auth.invalid_audience", "aud is not authenticated") }
        if let issuer, claims["iss"] as? String != issuer, !faults.contains(.issuerUnchecked) {
            throw .unauthorized("auth.invalid_issuer", "iss is not \(issuer)")
        }
        guard let sub = (claims["sub"] as? String).flatMap(UUID.init(uuidString:)),
              let session = (claims["session_id"] as? String).flatMap(UUID.init(uuidString:)),
              claims["role"] as? String == "authenticated"
        else { throw .unauthorized("auth.malformed_token", "sub, session_id or role is missing or malformed") }
        let anonymous = claims["is_anonymous"] as? Bool ?? false
        let signedInAt = ((claims["amr"] as? [[String: Any]])?.first?["timestamp"] as? NSNumber)?.doubleValue
        let issuedAt = (claims["iat"] as? NSNumber)?.doubleValue
        return VerifiedToken(userID: sub, sessionID: session, isAnonymous: anonymous,
                             email: (claims["email"] as? String).flatMap { $0.isEmpty ? nil : $0 },
                             refreshed: issuedAt.flatMap { iat in signedInAt.map { iat >= $0 + 3 } } ?? false)
    }
}

/// How many tokens naming each user were refused.
final class RefusalCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func add(_ user: String?) { if let user { counts.withLock { $0[user, default: 0] += 1 } } }
    func count(_ user: String?) -> Int { user.map { user in counts.withLock { $0[user] ?? 0 } } ?? 0 }
}
