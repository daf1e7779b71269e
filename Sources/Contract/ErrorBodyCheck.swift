import Foundation
import Protocols
import Transport

/// The K1 error body of CONTRACT.md §3, checked against an answer.
public struct ErrorBodyCheck: Sendable {
    public let status: Int
    /// The codes that name the cause (as the backend spells them); empty accepts any non-empty code.
    public let codes: Set<String>
    public let traceID: String
    public let anonymousRefusal: Bool

    /// - Parameters:
    ///   - code: the configured code; nil accepts any non-empty code.
    ///   - anonymousRefusal: a policy or quota refusal of an anonymous caller, whose hint must say to sign up.
    public init(status: Int, code: String?, traceID: String, anonymousRefusal: Bool) {
        self.init(status: status, codes: code.map { [$0] } ?? [], traceID: traceID, anonymousRefusal: anonymousRefusal)
    }

    public init(status: Int, codes: Set<String>, traceID: String, anonymousRefusal: Bool) {
        self.status = status
        self.codes = codes
        self.traceID = traceID
        self.anonymousRefusal = anonymousRefusal
    }

    /// The check of a contract refusal, its code mapped through the configuration.
    public init(status: Int, _ code: ContractCode, traceID: String, anonymousRefusal: Bool, configuration: Configuration) {
        self.init(status: status, code: configuration.code(code), traceID: traceID, anonymousRefusal: anonymousRefusal)
    }

    public func verdicts(_ response: HTTPResponse) -> [Verdict] {
        let json = JSONValue.parse(response.body)
        let body = json?.object
        let text = String(response.text.prefix(400))
        var verdicts = [
            Verdict("status is \(status)", passed: response.status == status, detail: "got \(response.status): \(text)"),
            Verdict("Content-Type is application/json", passed: response.headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true,
                    detail: "got \(response.headers["Content-Type"] ?? "none")"),
            Verdict("the body has status, code, message, trace_id, hint", passed: body != nil && ErrorBodyKeys.missing(from: json).isEmpty,
                    detail: "body: \(text)"),
            Verdict("body.status equals the HTTP status", passed: body?["status"]?.int == response.status,
                    detail: "body.status \(body?["status"]?.text ?? "none"), HTTP \(response.status)"),
            Verdict("body.trace_id equals the sent X-Trace-Id", passed: body?["trace_id"]?.string == traceID,
                    detail: "sent \(traceID), got \(body?["trace_id"]?.text ?? "none")"),
            Verdict("the X-Trace-Id header equals body.trace_id", passed: response.headers["X-Trace-Id"] != nil && response.headers["X-Trace-Id"] == body?["trace_id"]?.string,
                    detail: "header \(response.headers["X-Trace-Id"] ?? "none")"),
        ]
        if !codes.isEmpty {
            verdicts.append(Verdict("code is \(codes.sorted().joined(separator: " or "))", passed: body?["code"]?.string.map(codes.contains) == true,
                                    detail: "got \(body?["code"]?.text ?? "none")"))
        } else {
            verdicts.append(Verdict("code is a non-empty string", passed: !(body?["code"]?.string ?? "").isEmpty, detail: "got \(body?["code"]?.text ?? "none")"))
        }
        if anonymousRefusal {
            let hint = body?["hint"]?.string?.lowercased() ?? ""
            let upgrades = ["sign up", "signup", "sign-up", "upgrade", "register", "create an account", "升级", "注册"].contains { hint.contains($0) }
            verdicts.append(Verdict("hint tells an anonymous user to sign up / upgrade", passed: upgrades, detail: "hint: \(body?["hint"]?.text ?? "none")"))
        }
        if status == 401 {
            let challenge = response.headers["WWW-Authenticate"] ?? ""
            verdicts.append(Verdict(#"WWW-Authenticate: Bearer error="invalid_token""#,
                                    passed: challenge.lowercased().hasPrefix("bearer") && challenge.contains(#"error="invalid_token""#), detail: "got \(challenge)"))
        }
        if status == 429 {
            let retry = response.headers["Retry-After"]
            verdicts.append(Verdict("Retry-After a positive number of seconds or an HTTP date", passed: Self.retryAfter(retry) != nil,
                                    detail: "got \(retry ?? "none")"))
        }
        return verdicts
    }

    /// `Retry-After` as a wait: delay-seconds (at least 1: 0 tells a client to hammer) or an HTTP date (RFC 9110 §10.2.3).
    public static func retryAfter(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Int(value) { return seconds > 0 ? .seconds(seconds) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
    }
}
