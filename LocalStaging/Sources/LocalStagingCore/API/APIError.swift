import Hummingbird

/// A refusal of the messages API, rendered as the K1 body (CONTRACT.md §3)
/// by `TraceMiddleware`, the one place that writes error bodies.
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var hint: String
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, hint: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint
        self.retryAfter = retryAfter
    }

    static let upgradeHint = "Sign up for a free account to raise your quota and unlock this feature."
    static let signInHint = "Sign in (anonymously or with a password) and send Authorization: Bearer <access_token>."

    static func unauthorized(_ code: String, _ message: String) -> APIError {
        APIError(.unauthorized, code, message, hint: signInHint)
    }

    static func invalid(_ message: String) -> APIError {
        APIError(.unprocessableContent, "request.invalid", message, hint: "Send {\"messages\":[{\"role\":\"user\",\"content\":\"...\"}]} as JSON, at most 64 KiB.")
    }

    static let notFound = APIError(.notFound, "not_found", "no such route or resource", hint: "Check the path and the resource id.")
}

/// A Supabase Auth (GoTrue) error: its own body shapes, not K1.
public struct GoTrueError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }
}

/// The gateway's answer to a missing or wrong `apikey`: `{"message": ...}`.
public struct GatewayError: Error, Sendable {
    public var message: String
}
