import Crypto
import Foundation
import Hummingbird

/// The Supabase Auth (GoTrue) subset of CONTRACT.md §1 under `/auth/v1`.
struct GoTrueController: Sendable {
    let settings: Settings
    let store: Store
    let keys: SigningKeys
    let authenticator: Authenticator
    let signups: SignupLimiter

    func addRoutes(to router: Router<AppContext>) {
        var jwk = keys.publicJWK
        if settings.has(.jwksUnderAnotherKid) { jwk["kid"] = "another-kid" }
        if settings.has(.jwksPrivateMember) { jwk["d"] = keys.privateD }
        let published = JSON.string(["keys": [jwk]])
        router.get("/auth/v1/.well-known/jwks.json") { _, _ in
            JSON.response(.ok, JSON.object(Data(published.utf8)) ?? [:], headers: [.cacheControl: "public, max-age=600"])
        }
        router.get("/auth/v1/settings", use: authSettings)
        router.post("/auth/v1/signup", use: signup)
        router.post("/auth/v1/token", use: token)
        router.get("/auth/v1/user", use: currentUser)
        router.put("/auth/v1/user", use: updateUser)
        router.post("/auth/v1/logout", use: logout)
    }

    /// Every call but the JWKS carries the project's anon key, as Supabase's gateway demands.
    private func checkAPIKey(_ request: Request) throws {
        if settings.has(.apikeyUnchecked) || !settings.apikeyChecked { return }
        guard let key = request.headers[.apikey] ?? request.uri.queryParameters.get("apikey") else {
            throw GatewayError(message: "No API key found in request")
        }
        guard key == settings.anonKey else { throw GatewayError(message: settings.apikeyWrongMessage) }
    }

    /// With captcha on, sign-up and password sign-in carry the provider's token (refresh is exempt).
    private func checkCaptcha(_ body: [String: Any]) throws {
        guard let expected = settings.captchaToken else { return }
        let token = (body["gotrue_meta_security"] as? [String: Any])?["captcha_token"] as? String
        guard let token, !token.isEmpty else { throw GoTrueError(.badRequest, "captcha_failed", "captcha protection: request disallowed (no captcha_token found)") }
        guard token == expected else { throw GoTrueError(.badRequest, "captcha_failed", "captcha protection: request disallowed (captcha verification failed)") }
    }

    private func jsonBody(_ request: Request) async throws -> [String: Any] {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        guard let object = JSON.object(buffer) else {
            if settings.has(.badJSONAccepted) { return [:] }
            throw GoTrueError(.badRequest, "bad_json", "Could not parse request body as JSON")
        }
        return object
    }

    /// GoTrue's public settings: what a client may ask before it signs in (S1.17).
    @Sendable func authSettings(_ request: Request, context: AppContext) async throws -> Response {
        try checkAPIKey(request)
        let anonymous = settings.anonymousSignInsEnabled && !settings.has(.settingsHideAnonymous)
        return JSON.response(.ok, ["external": ["anonymous_users": anonymous, "email": true, "phone": false],
                                   "disable_signup": false, "mailer_autoconfirm": settings.mailerAutoconfirm, "phone_autoconfirm": false, "sms_provider": ""])
    }

    @Sendable func signup(_ request: Request, context: AppContext) async throws -> Response {
        try checkAPIKey(request)
        let body = try await jsonBody(request)
        let email = (body["email"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let phone = (body["phone"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let metadata = JSON.string(body["data"] as? [String: Any] ?? [:])
        try checkCaptcha(body)
        if email == nil, phone == nil {
            guard settings.anonymousSignInsEnabled else {
                throw GoTrueError(.unprocessableContent, "anonymous_provider_disabled", "Anonymous sign-ins are disabled")
            }
            guard await signups.admit(context.remoteIP, limit: settings.anonymousSignupsPerHour) else {
                throw GoTrueError(.tooManyRequests, "over_request_rate_limit", "Request rate limit reached")
            }
            let refresh = Self.newRefreshToken()
            let (user, session) = try await store.createUser(email: nil, password: nil, anonymous: true, metadata: metadata, refreshToken: refresh)
            return sessionResponse(user, session, refreshToken: refresh)
        }
        guard let email, let password = body["password"] as? String else {
            throw GoTrueError(.badRequest, "validation_failed", phone != nil ? "Phone sign-ups are not supported here" : "Signup requires a valid password")
        }
        guard email.contains("@"), password.count >= 6 else {
            throw GoTrueError(.badRequest, "validation_failed", "A valid email and a password of at least 6 characters are required")
        }
        guard try await !store.emailTaken(email) else {
            throw GoTrueError(.unprocessableContent, "user_already_exists", "User already registered")
        }
        let refresh = Self.newRefreshToken()
        let (user, session) = try await store.createUser(email: email, password: password, anonymous: false, metadata: metadata, refreshToken: refresh,
                                                         confirmed: settings.mailerAutoconfirm)
        // "Confirm email" on: the user and no session, until the link in the mail is followed.
        if !settings.mailerAutoconfirm || settings.has(.signupWithoutSession) { return JSON.response(.ok, userObject(user)) }
        return sessionResponse(user, session, refreshToken: refresh)
    }

    @Sendable func token(_ request: Request, context: AppContext) async throws -> Response {
        try checkAPIKey(request)
        let body = try await jsonBody(request)
        switch request.uri.queryParameters.get("grant_type") {
        case "password":
            try checkCaptcha(body)
            guard let email = body["email"] as? String, let password = body["password"] as? String else {
                throw GoTrueError(.badRequest, "validation_failed", "An email and a password are required")
            }
            let refresh = Self.newRefreshToken()
            if let account = settings.registeredAccount, account.email == email, try await !store.emailTaken(email) {
                // The configured account exists from its first sign-in on, as if made and confirmed in the dashboard.
                _ = try await store.createUser(email: email, password: account.password, anonymous: false, metadata: "{}",
                                               refreshToken: Self.newRefreshToken())
            }
            guard let (user, session) = try await store.signIn(email: email, password: password, refreshToken: refresh) else {
                throw GoTrueError(settings.has(.wrongPasswordUnauthorized) ? .unauthorized : .badRequest, "invalid_credentials", "Invalid login credentials")
            }
            return sessionResponse(user, session, refreshToken: refresh)
        case "refresh_token":
            guard let refreshToken = body["refresh_token"] as? String, !refreshToken.isEmpty else {
                throw GoTrueError(.badRequest, "validation_failed", "refresh_token is required")
            }
            var reuse = Store.ReusePolicy(interval: settings.has(.refreshReuseAccepted) ? 1_000_000 : settings.refreshReuseInterval)
            reuse.parentAccepted = !settings.has(.refreshParentRefused)
            reuse.parentRotates = settings.has(.refreshParentRotates)
            reuse.refusalEndsSession = !settings.has(.refreshReuseKeepsSession)
            switch try await store.refresh(refreshToken, next: Self.newRefreshToken(), reuse: reuse) {
            case .notFound: throw GoTrueError(.badRequest, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found")
            case .alreadyUsed: throw GoTrueError(.badRequest, "refresh_token_already_used", "Invalid Refresh Token: Already Used")
            case let .rotated(user, session, refreshToken):
                var rotated = session
                if settings.has(.refreshNewSession) { rotated.id = UUID() }
                return sessionResponse(user, rotated, refreshToken: refreshToken)
            }
        default:
            throw GoTrueError(.badRequest, "validation_failed", "unsupported_grant_type")
        }
    }

    @Sendable func currentUser(_ request: Request, context: AppContext) async throws -> Response {
        try checkAPIKey(request)
        let token = try await liveToken(request)
        guard var user = try await store.user(token.userID) else { throw GoTrueError(.notFound, "user_not_found", "User not found") }
        if settings.has(.userAnswersAnotherID) { user.id = UUID() }
        return JSON.response(.ok, userObject(user))
    }

    /// `PUT /user`: an email, a password. An anonymous user given an email with
    /// auto-confirm on becomes permanent: the same id, `is_anonymous` false (S1.16).
    @Sendable func updateUser(_ request: Request, context: AppContext) async throws -> Response {
        try checkAPIKey(request)
        let token = try await liveToken(request)
        let body = try await jsonBody(request)
        guard let user = try await store.user(token.userID) else { throw GoTrueError(.notFound, "user_not_found", "User not found") }
        let email = (body["email"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let password = (body["password"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        if user.isAnonymous, password != nil, email == nil, user.email == nil {
            throw GoTrueError(.unprocessableContent, "validation_failed", "Updating password of an anonymous user without an email or phone is not allowed")
        }
        if let email, email.lowercased() != user.email?.lowercased() {
            guard try await !store.emailTaken(email) else {
                throw GoTrueError(.unprocessableContent, "email_exists", "A user with this email address has already been registered")
            }
            // With confirmation on the change waits for the mail's link, and the user stays as it is.
            if settings.mailerAutoconfirm {
                try await store.confirmEmail(user: user.id, email: email, permanent: !settings.has(.upgradeKeepsAnonymous),
                                             appRow: !settings.has(.upgradeAppRowStale))
            }
        }
        if let password { try await store.setPassword(user: user.id, password: password, keeping: token.sessionID) }
        guard let updated = try await store.user(user.id) else { throw GoTrueError(.notFound, "user_not_found", "User not found") }
        return JSON.response(.ok, userObject(updated))
    }

    @Sendable func logout(_ request: Request, context: AppContext) async throws -> Response {
        try checkAPIKey(request)
        let token = try await liveToken(request)
        try await store.signOut(user: token.userID, session: token.sessionID, scope: request.uri.queryParameters.get("scope") ?? "global")
        if settings.has(.logoutWithBody) { return JSON.response(.ok, ["signed_out": true]) }
        return Response(status: .noContent)
    }

    /// The bearer token of a GoTrue call: valid, and its session not signed out.
    private func liveToken(_ request: Request) async throws -> VerifiedToken {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw GoTrueError(.unauthorized, "no_authorization", "This endpoint requires a Bearer token")
        }
        do {
            return try await authenticator.live(String(header.dropFirst(7)))
        } catch let error as APIError where error.code == "auth.session_revoked" || error.code == "auth.invalid_token" {
            throw GoTrueError(.forbidden, "session_not_found", "Session from session_id claim in JWT does not exist")
        } catch let error as APIError {
            throw GoTrueError(.forbidden, "bad_jwt", "invalid JWT: \(error.message)")
        }
    }

    private func sessionResponse(_ user: Store.AuthUser, _ session: Store.AuthSession, refreshToken: String) -> Response {
        let now = Int(Date().timeIntervalSince1970)
        let expires = now + settings.accessTokenTTL
        var claims: [String: Any] = [
            "sub": user.id.uuidString.lowercased(), "aud": "authenticated",
            "exp": expires, "iat": now, "email": user.email ?? "", "phone": "",
            "app_metadata": appMetadata(user), "user_metadata": JSON.object(Data(user.userMetadata.utf8)) ?? [:],
            "role": "authenticated", "aal": "aal1",
            "amr": [["method": session.method, "timestamp": session.timestamp]],
            "session_id": session.id.uuidString.lowercased(), "is_anonymous": user.isAnonymous || settings.has(.passwordTokenAnonymous),
        ]
        if let issuer = settings.issuer { claims["iss"] = issuer }
        if settings.has(.claimsWithoutAAL) { claims["aal"] = nil }
        if user.isAnonymous { claims["email"] = "" }
        return JSON.response(.ok, [
            "access_token": keys.sign(claims), "token_type": "bearer", "expires_in": settings.has(.sessionExpiresInZero) ? 0 : settings.accessTokenTTL,
            "expires_at": settings.has(.sessionWithoutExpiresAt) ? NSNull() as Any : expires as Any, "refresh_token": refreshToken, "user": userObject(user),
        ])
    }

    private func appMetadata(_ user: Store.AuthUser) -> [String: Any] {
        user.isAnonymous ? [:] : ["provider": "email", "providers": ["email"]]
    }

    private func userObject(_ user: Store.AuthUser) -> [String: Any] {
        var object: [String: Any] = [
            "id": user.id.uuidString.lowercased(), "aud": "authenticated", "role": "authenticated",
            "email": user.email ?? "", "phone": "", "is_anonymous": user.isAnonymous,
            "app_metadata": appMetadata(user), "user_metadata": JSON.object(Data(user.userMetadata.utf8)) ?? [:],
            "identities": [], "created_at": user.createdAt.iso8601, "updated_at": user.updatedAt.iso8601,
            "last_sign_in_at": (user.lastSignInAt ?? user.createdAt).iso8601,
        ]
        if let confirmed = user.emailConfirmedAt { object["email_confirmed_at"] = confirmed.iso8601 }
        return object
    }

    static func newRefreshToken() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<12).map { _ in alphabet.randomElement()! })
    }
}

/// Anonymous sign-ins per client IP as GoTrue limits them: a token bucket of
/// `limit` that gets one back every hour / `limit` (30 an hour: one every 120 s).
actor SignupLimiter {
    private var buckets: [String: (tokens: Double, at: ContinuousClock.Instant)] = [:]

    func admit(_ ip: String, limit: Int, now: ContinuousClock.Instant = .now) -> Bool {
        let bucket = buckets[ip] ?? (Double(limit), now)
        let elapsed = Double((now - bucket.at).components.seconds) + Double((now - bucket.at).components.attoseconds) / 1e18
        let tokens = min(Double(limit), bucket.tokens + elapsed * Double(limit) / 3600)
        guard tokens >= 1 else { buckets[ip] = (tokens, now); return false }
        buckets[ip] = (tokens - 1, now)
        return true
    }
}
