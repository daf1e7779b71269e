import Foundation
import Transport

/// A GoTrue session as `/auth/v1/signup` and `/auth/v1/token` answer it.
public struct GoTrueSession: Sendable {
    public let accessToken: String
    public let refreshToken: String
    public let tokenType: String?
    public let expiresIn: Int?
    public let expiresAt: Int?
    public let user: [String: JSONValue]
    /// The whole answer, for checks of its shape.
    public let body: JSONValue

    /// A session from GoTrue's answer (or one kept from an earlier run, `IdentityCache`).
    public init(_ body: JSONValue) throws(GoTrueError) {
        guard let access = body["access_token"]?.string, let refresh = body["refresh_token"]?.string, let user = body["user"]?.object else {
            throw .shape("a session needs access_token, refresh_token and user; got \(body.text.prefix(300))")
        }
        accessToken = access
        refreshToken = refresh
        tokenType = body["token_type"]?.string
        expiresIn = body["expires_in"]?.int
        expiresAt = body["expires_at"]?.int
        self.user = user
        self.body = body
    }

    public var userID: String? { user["id"]?.string }
}

public enum GoTrueError: Error, Sendable, CustomStringConvertible {
    /// GoTrue refused: its status and error code (either body shape).
    case refused(status: Int, code: String?, message: String)
    case shape(String)

    public var status: Int? { if case let .refused(status, _, _) = self { status } else { nil } }
    public var code: String? { if case let .refused(_, code, _) = self { code } else { nil } }

    public var description: String {
        switch self {
        case let .refused(status, code, message): "GoTrue answered \(status) \(code ?? "(no code)"): \(message)"
        case let .shape(reason): "unexpected GoTrue answer: \(reason)"
        }
    }
}

/// A client of Supabase Auth (GoTrue), as the official clients call it
/// (`X-Supabase-Api-Version: 2024-01-01`). It counts anonymous sign-ins,
/// since Supabase limits them per IP and a suite spends them as a budget.
public struct GoTrueClient: Sendable {
    public let baseURL: String
    public let anonKey: String
    public let http: HTTPClient
    /// The target's TLS, encodings and deadlines.
    public let template: RequestTemplate
    public let secrets: any SecretKeeper
    /// Sent as `gotrue_meta_security.captcha_token` on sign-up and password sign-in
    /// (a captcha provider's test token, for a project with captcha on).
    public let captchaToken: String?

    public init(baseURL: String, anonKey: String, http: HTTPClient = HTTPClient(), template: RequestTemplate, secrets: any SecretKeeper,
                captchaToken: String? = nil) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.anonKey = anonKey
        self.http = http
        self.template = template
        self.secrets = secrets
        self.captchaToken = captchaToken
    }

    /// What the official clients send beside the credentials.
    private var security: JSONValue { .object(["captcha_token": captchaToken.map(JSONValue.string) ?? .null]) }

    public func signInAnonymously() async throws -> GoTrueSession {
        try await session(try await call(.post, "/signup", body: JSONValue.object(["data": .object([:]), "gotrue_meta_security": security]).text))
    }

    /// What a password sign-up answered: a session (auto-confirm on), or a user
    /// and no session ("Confirm email" on, hosted's default).
    public enum SignUpAnswer: Sendable {
        case session(GoTrueSession)
        case unconfirmed(user: [String: JSONValue])
    }

    public func signUpAnswer(email: String, password: String) async throws -> SignUpAnswer {
        let response = try await call(.post, "/signup", body: JSONValue.object(["email": .string(email), "password": .string(password),
                                                                               "gotrue_meta_security": security]).text)
        guard let body = JSONValue.parse(response.body) else { throw GoTrueError.shape("not JSON: \(response.text.prefix(300))") }
        if body["access_token"] != nil { return .session(try await session(response)) }
        guard let user = body.object, user["id"]?.string != nil else {
            throw GoTrueError.shape("sign-up answered neither a session nor a user: \(response.text.prefix(300))")
        }
        return .unconfirmed(user: user)
    }

    public func signUp(email: String, password: String) async throws -> GoTrueSession {
        switch try await signUpAnswer(email: email, password: password) {
        case let .session(session): return session
        case .unconfirmed:
            throw GoTrueError.shape("sign-up answered a user and no session: the project has \"Confirm email\" on " +
                                    "(sign in a pre-confirmed account, or turn auto-confirm on)")
        }
    }

    public func signIn(email: String, password: String) async throws -> GoTrueSession {
        try await session(try await call(.post, "/token?grant_type=password",
                                         body: JSONValue.object(["email": .string(email), "password": .string(password),
                                                                 "gotrue_meta_security": security]).text))
    }

    public func refresh(_ refreshToken: String) async throws -> GoTrueSession {
        try await session(try await call(.post, "/token?grant_type=refresh_token", body: JSONValue.object(["refresh_token": .string(refreshToken)]).text))
    }

    public func user(accessToken: String) async throws -> [String: JSONValue] {
        let response = try await call(.get, "/user", bearer: accessToken)
        guard let user = JSONValue.parse(response.body)?.object else { throw GoTrueError.shape("GET /user: \(response.text.prefix(300))") }
        return user
    }

    /// `PUT /user`: an email or a password for the user (for an anonymous one, making it permanent).
    public func updateUser(accessToken: String, _ fields: [String: JSONValue]) async throws -> [String: JSONValue] {
        if case let .string(password)? = fields["password"] { secrets.register(password, label: "a password") }
        let response = try await call(.put, "/user", body: JSONValue.object(fields).text, bearer: accessToken)
        guard let user = JSONValue.parse(response.body)?.object else { throw GoTrueError.shape("PUT /user: \(response.text.prefix(300))") }
        return user
    }

    public func signOut(accessToken: String, scope: String = "global") async throws {
        _ = try await call(.post, "/logout?scope=\(scope)", bearer: accessToken)
    }

    /// The published keys (no apikey needed).
    public func jwks() async throws -> [JSONWebKey] {
        let response = try await http.send(template.request(.get, baseURL + "/auth/v1/.well-known/jwks.json"))
        guard response.status == 200, let keys = JSONValue.parse(response.body)?["keys"]?.array else {
            throw GoTrueError.shape("JWKS answered \(response.status): \(response.text.prefix(300))")
        }
        return keys.compactMap { $0.object.map(JSONWebKey.init) }
    }

    /// `GET /auth/v1/settings`: what the project allows (anonymous sign-ins, sign-up, auto-confirm).
    public func settings() async throws -> [String: JSONValue] {
        let response = try await call(.get, "/settings")
        guard let settings = JSONValue.parse(response.body)?.object else { throw GoTrueError.shape("GET /settings: \(response.text.prefix(300))") }
        return settings
    }

    /// One call, with the apikey; a non-2xx answer throws with GoTrue's code.
    public func call(_ method: HTTPRequest.Method, _ path: String, body: String? = nil, bearer: String? = nil) async throws -> HTTPResponse {
        var headers: HTTPHeaders = ["apikey": anonKey, "X-Supabase-Api-Version": "2024-01-01"]
        if body != nil { headers.add("Content-Type", "application/json") }
        if let bearer { headers.add("Authorization", "Bearer \(bearer)") }
        let response = try await http.send(template.request(method, baseURL + "/auth/v1" + path, headers: headers, body: body.map { Array($0.utf8) }))
        guard (200..<300).contains(response.status) else {
            let parsed = JSONValue.parse(response.body)
            let code = response.headers["x-sb-error-code"] ?? parsed?["error_code"]?.string ?? parsed?["code"]?.string
            let message = parsed?["message"]?.string ?? parsed?["msg"]?.string ?? response.text
            throw GoTrueError.refused(status: response.status, code: code, message: String(message.prefix(300)))
        }
        return response
    }

    private func session(_ response: HTTPResponse) async throws -> GoTrueSession {
        guard let body = JSONValue.parse(response.body) else { throw GoTrueError.shape("not JSON: \(response.text.prefix(300))") }
        let session = try GoTrueSession(body)
        secrets.register(session.refreshToken, label: "a refresh token")
        secrets.fingerprint(session.accessToken, label: "an access token")
        return session
    }
}
