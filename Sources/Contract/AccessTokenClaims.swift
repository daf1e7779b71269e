import Foundation
import Protocols

/// The claims CONTRACT.md §1 requires of an anonymous user's access token.
public struct AccessTokenClaims: Sendable {
    /// nil: the project issues no `iss` (`JWT_ISSUER=none`).
    public let issuer: String?
    /// Clock difference tolerated between this machine and the server.
    public let skew: TimeInterval

    public init(issuer: String?, skew: TimeInterval = 60) {
        self.issuer = issuer
        self.skew = skew
    }

    /// MUSTs: each failed verdict fails the case.
    public func required(_ token: JWT, session: GoTrueSession, anonymous: Bool = true, now: Date = Date()) -> [Verdict] {
        let claims = token.claims
        func show(_ key: String) -> String { claims[key]?.text ?? "missing" }
        let clock = now.timeIntervalSince1970
        let iat = claims["iat"]?.number, exp = claims["exp"]?.number
        let amr = claims["amr"]?.array?.first
        return [
            Verdict("is_anonymous is \(anonymous)", passed: claims["is_anonymous"]?.bool == anonymous, detail: show("is_anonymous")),
            Verdict("sub is a UUID equal to user.id", passed: claims["sub"]?.string.flatMap(UUID.init(uuidString:)) != nil && claims["sub"]?.string == session.userID,
                    detail: "sub \(show("sub")), user.id \(session.userID ?? "missing")"),
            Verdict(issuer.map { "iss is \($0)" } ?? "no iss (JWT_ISSUER=none)", passed: claims["iss"]?.string == issuer, detail: show("iss")),
            Verdict("aud is authenticated", passed: claims["aud"]?.string == "authenticated" || claims["aud"]?.array?.contains(.string("authenticated")) == true, detail: show("aud")),
            Verdict("role is authenticated", passed: claims["role"]?.string == "authenticated", detail: show("role")),
            Verdict("session_id is a UUID", passed: claims["session_id"]?.string.flatMap(UUID.init(uuidString:)) != nil, detail: show("session_id")),
            Verdict("aal is aal1", passed: claims["aal"]?.string == "aal1", detail: show("aal")),
            Verdict("amr names the method \(anonymous ? "anonymous" : "password") with a timestamp",
                    passed: amr?["method"]?.string == (anonymous ? "anonymous" : "password") && amr?["timestamp"]?.number != nil, detail: show("amr")),
            Verdict("iat ≤ now + \(Int(skew)) s", passed: iat.map { $0 <= clock + skew } ?? false, detail: "iat \(show("iat")), now \(Int(clock))"),
            Verdict("now < exp", passed: exp.map { clock - skew < $0 } ?? false, detail: "exp \(show("exp")), now \(Int(clock))"),
            // GoTrue takes iat and exp from one instant but computes expires_in later: one second less when a second boundary passed.
            Verdict("expires_in is exp − iat or one second less", passed: iat != nil && exp != nil
                        && session.expiresIn.map { [exp! - iat!, exp! - iat! - 1].contains(Double($0)) } == true,
                    detail: "exp − iat = \(exp.flatMap { e in iat.map { e - $0 } }.map { String(Int($0)) } ?? "?"), expires_in \(session.expiresIn.map(String.init) ?? "missing")"),
        ]
    }

    /// SHOULDs: each failed verdict is a warning.
    public func recommended(_ token: JWT) -> [Verdict] {
        ["email", "phone", "app_metadata", "user_metadata"].map { key in
            Verdict("\(key) is present", passed: token.claims[key] != nil, detail: token.claims[key]?.text ?? "missing")
        } + [
            Verdict("no nbf and no jti", passed: token.claims["nbf"] == nil && token.claims["jti"] == nil, detail: nil),
        ]
    }
}
