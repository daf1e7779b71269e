import Foundation
import Logging
import PostgresNIO

/// Every read and write LocalStaging makes, in one place: the auth tables and
/// the contract's tables (CONTRACT.md §5). Each row a request writes carries
/// its trace id.
public struct Store: Sendable {
    public let client: PostgresClient
    let logger = Logger(label: "local-staging.db")
    /// Writes broken on purpose (LOCAL_STAGING_FAULTS), for ci/prove.
    let faults: Set<Fault>
    /// The `iss` of this instance's tokens: its policy faults are recorded under it.
    let issuer: String?

    public init(databaseURL: String, faults: Set<Fault> = [], issuer: String? = nil) throws {
        self.faults = faults
        self.issuer = issuer
        guard let url = URLComponents(string: databaseURL), let host = url.host, let user = url.user else {
            throw Settings.Missing(name: "DATABASE_URL (postgresql://user:password@host:port/db)")
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        client = PostgresClient(configuration: .init(host: host, port: url.port ?? 5432, username: user,
                                                     password: url.password?.removingPercentEncoding, database: database, tls: .disable))
    }

    // MARK: auth

    public struct AuthUser: Sendable {
        public var id: UUID
        public var email: String?
        public var isAnonymous: Bool
        public var userMetadata: String
        public var createdAt: Date
        public var updatedAt: Date
        public var lastSignInAt: Date?
        public var emailConfirmedAt: Date?
    }

    public struct AuthSession: Sendable {
        public var id: UUID
        public var userID: UUID
        public var method: String
        public var timestamp: Int
    }

    /// Creates the auth user, the app's `users` row and a session with its first refresh token.
    /// - Parameter confirmed: a password user's email counts as confirmed (auto-confirm on, or an account made in the dashboard).
    func createUser(email: String?, password: String?, anonymous: Bool, metadata: String, refreshToken: String,
                    confirmed: Bool = true) async throws -> (AuthUser, AuthSession) {
        let id = UUID()
        let sessionID = UUID()
        let method = anonymous ? "anonymous" : "password"
        let now = Int(Date().timeIntervalSince1970)
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("""
                INSERT INTO auth.users (id, email, encrypted_password, is_anonymous, user_metadata, last_sign_in_at, email_confirmed_at)
                VALUES (\(id), \(email), CASE WHEN \(password)::text IS NULL THEN NULL ELSE crypt(\(password), gen_salt('bf', 6)) END,
                        \(anonymous), \(metadata)::jsonb, now(), CASE WHEN \(email)::text IS NOT NULL AND \(confirmed) THEN now() END)
                """, logger: logger)
            let login: Date? = faults.contains(.lastLoginNotUpdated) ? nil : Date()
            try await connection.query("INSERT INTO users (id, is_anonymous, email, last_login_at) VALUES (\(id), \(anonymous), \(email), \(login))", logger: logger)
            try await connection.query("INSERT INTO auth.sessions (id, user_id, amr_method, amr_timestamp) VALUES (\(sessionID), \(id), \(method), \(now))", logger: logger)
            try await connection.query("INSERT INTO auth.refresh_tokens (token, session_id) VALUES (\(refreshToken), \(sessionID))", logger: logger)
            // Before the first user can be checked against the policies, this instance's broken ones are in place.
            if let issuer {
                for fault in faults where fault.breaksPolicy {
                    try await connection.query("INSERT INTO auth.policy_faults (issuer, fault) VALUES (\(issuer), \(fault.rawValue)) ON CONFLICT DO NOTHING",
                                               logger: logger)
                }
            }
        }
        guard let user = try await user(id) else { throw GoTrueError(.internalServerError, "unexpected_failure", "user vanished") }
        return (user, AuthSession(id: sessionID, userID: id, method: method, timestamp: now))
    }

    /// The email set and confirmed; a `permanent` anonymous user stops being anonymous, in
    /// auth.users and (`appRow`) in the app's users row.
    func confirmEmail(user: UUID, email: String, permanent: Bool, appRow: Bool) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("""
                UPDATE auth.users SET email = \(email), email_confirmed_at = now(), updated_at = now(),
                    is_anonymous = is_anonymous AND NOT \(permanent) WHERE id = \(user)
                """, logger: logger)
            if appRow {
                try await connection.query("UPDATE users SET email = \(email), is_anonymous = is_anonymous AND NOT \(permanent) WHERE id = \(user)",
                                           logger: logger)
            }
        }
    }

    /// A new password; the user's other sessions end, as GoTrue ends them.
    func setPassword(user: UUID, password: String, keeping session: UUID) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("""
                UPDATE auth.users SET encrypted_password = crypt(\(password), gen_salt('bf', 6)), updated_at = now() WHERE id = \(user)
                """, logger: logger)
            try await connection.query("DELETE FROM auth.sessions WHERE user_id = \(user) AND id <> \(session)", logger: logger)
        }
    }

    func emailTaken(_ email: String) async throws -> Bool {
        for try await _ in try await client.query("SELECT 1 FROM auth.users WHERE lower(email) = lower(\(email))", logger: logger) { return true }
        return false
    }

    func user(_ id: UUID) async throws -> AuthUser? {
        let rows = try await client.query("""
            SELECT id, email, is_anonymous, user_metadata::text, created_at, updated_at, last_sign_in_at, email_confirmed_at FROM auth.users WHERE id = \(id)
            """, logger: logger)
        for try await (id, email, anonymous, metadata, created, updated, lastSignIn, confirmed)
            in rows.decode((UUID, String?, Bool, String, Date, Date, Date?, Date?).self) {
            return AuthUser(id: id, email: email, isAnonymous: anonymous, userMetadata: metadata, createdAt: created, updatedAt: updated,
                            lastSignInAt: lastSignIn, emailConfirmedAt: confirmed)
        }
        return nil
    }

    /// A password sign-in: a new session when the password matches.
    func signIn(email: String, password: String, refreshToken: String) async throws -> (AuthUser, AuthSession)? {
        var found: (UUID, Bool)?
        for try await (id, confirmed) in try await client.query("""
            SELECT id, email_confirmed_at IS NOT NULL FROM auth.users
            WHERE lower(email) = lower(\(email)) AND encrypted_password = crypt(\(password), encrypted_password)
            """, logger: logger).decode((UUID, Bool).self) { found = (id, confirmed) }
        guard let (id, confirmed) = found else { return nil }
        guard confirmed else { throw GoTrueError(.badRequest, "email_not_confirmed", "Email not confirmed") }
        let session = try await newSession(user: id, method: "password", refreshToken: refreshToken)
        try await client.query("UPDATE auth.users SET last_sign_in_at = now() WHERE id = \(id)", logger: logger)
        try await client.query("UPDATE users SET last_login_at = now() WHERE id = \(id)", logger: logger)
        guard let user = try await user(id) else { return nil }
        return (user, session)
    }

    private func newSession(user: UUID, method: String, refreshToken: String) async throws -> AuthSession {
        let session = AuthSession(id: UUID(), userID: user, method: method, timestamp: Int(Date().timeIntervalSince1970))
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("INSERT INTO auth.sessions (id, user_id, amr_method, amr_timestamp) VALUES (\(session.id), \(user), \(method), \(session.timestamp))", logger: logger)
            try await connection.query("INSERT INTO auth.refresh_tokens (token, session_id) VALUES (\(refreshToken), \(session.id))", logger: logger)
        }
        return session
    }

    public enum RefreshOutcome: Sendable {
        /// The session and the refresh token to answer with (a new one, or the active one for a reuse).
        case rotated(AuthUser, AuthSession, refreshToken: String)
        case alreadyUsed
        case notFound
    }

    /// How a refresh treats a token that is spent already, as GoTrue does (and the faults that break it).
    public struct ReusePolicy: Sendable {
        /// Seconds a spent token may still be reused (answered with the active token).
        public var interval: Int
        /// Reusing the parent of the active token is accepted at any time and answers the active token.
        public var parentAccepted = true
        /// A parent reuse issues a new token instead of answering the active one.
        public var parentRotates = false
        /// A reuse refused after the interval ends the whole session.
        public var refusalEndsSession = true

        public init(interval: Int) { self.interval = interval }
    }

    /// Spends a refresh token and issues its successor in the same session; a
    /// spent one is answered as GoTrue answers it (`ReusePolicy`).
    func refresh(_ token: String, next: String, reuse: ReusePolicy) async throws -> RefreshOutcome {
        enum Spent: Sendable { case rotated(AuthSession, String), used, missing }
        let spent: Spent = try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query("""
                SELECT t.revoked, extract(epoch FROM now() - t.updated_at)::float8, s.id, s.user_id, s.amr_method, s.amr_timestamp
                FROM auth.refresh_tokens t JOIN auth.sessions s ON s.id = t.session_id WHERE t.token = \(token) FOR UPDATE OF t
                """, logger: logger)
            var found: (Bool, Double, AuthSession)?
            for try await (revoked, age, id, user, method, stamp) in rows.decode((Bool, Double, UUID, UUID, String, Int).self) {
                found = (revoked, age, AuthSession(id: id, userID: user, method: method, timestamp: stamp))
            }
            guard let (revoked, age, session) = found else { return .missing }
            func rotate() async throws -> Spent {
                try await connection.query("UPDATE auth.refresh_tokens SET revoked = true, updated_at = now() WHERE token = \(token)", logger: logger)
                try await connection.query("INSERT INTO auth.refresh_tokens (token, session_id, parent) VALUES (\(next), \(session.id), \(token))",
                                           logger: logger)
                return .rotated(session, next)
            }
            guard revoked else { return try await rotate() }
            var active: (token: String, parent: String?)?
            for try await (activeToken, parent) in try await connection.query(
                "SELECT token, parent FROM auth.refresh_tokens WHERE session_id = \(session.id) AND NOT revoked", logger: logger
            ).decode((String, String?).self) {
                active = (activeToken, parent)
            }
            guard let active else { return .used }
            if active.parent == token, reuse.parentAccepted {
                return reuse.parentRotates ? try await rotate() : .rotated(session, active.token)
            }
            if age < Double(reuse.interval) { return .rotated(session, active.token) }
            // An older token reused after the interval: the token family is compromised.
            if reuse.refusalEndsSession {
                try await connection.query("DELETE FROM auth.sessions WHERE id = \(session.id)", logger: logger)
            }
            return .used
        }
        switch spent {
        case .missing: return .notFound
        case .used: return .alreadyUsed
        case let .rotated(session, refreshToken):
            try await client.query("UPDATE auth.users SET last_sign_in_at = now(), updated_at = now() WHERE id = \(session.userID)", logger: logger)
            guard let user = try await user(session.userID) else { return .notFound }
            return .rotated(user, session, refreshToken: refreshToken)
        }
    }

    func sessionExists(_ id: UUID) async throws -> Bool {
        for try await _ in try await client.query("SELECT 1 FROM auth.sessions WHERE id = \(id)", logger: logger) { return true }
        return false
    }

    /// Sign-out: `global` deletes every session of the user, `local` this one, `others` all but this one.
    func signOut(user: UUID, session: UUID, scope: String) async throws {
        switch scope {
        case "local": try await client.query("DELETE FROM auth.sessions WHERE id = \(session)", logger: logger)
        case "others": try await client.query("DELETE FROM auth.sessions WHERE user_id = \(user) AND id <> \(session)", logger: logger)
        default: try await client.query("DELETE FROM auth.sessions WHERE user_id = \(user)", logger: logger)
        }
    }

    // MARK: chat

    public struct Turn: Sendable {
        public var conversationID: UUID
        public var chatSessionID: UUID
        public var messageID: UUID
    }

    /// The writes at the start of a message: the user's activity, the
    /// conversation (new, or the caller's own: anyone else's is not found),
    /// its chat session, and the system and user rows.
    func beginTurn(user: UUID, anonymous: Bool, conversation requested: UUID?, system: String, content: String, model: String, trace: String) async throws -> Turn? {
        try await client.withTransaction(logger: logger) { connection in
            if !faults.contains(.lastLoginNotUpdated) {
                try await connection.query("UPDATE users SET last_login_at = now() WHERE id = \(user)", logger: logger)
            }
            let conversation: UUID
            if let requested {
                var owner: UUID?
                for try await (id) in try await connection.query("SELECT user_id FROM conversations WHERE id = \(requested)", logger: logger).decode(UUID.self) { owner = id }
                guard owner == user else {
                    if faults.contains(.foreignConversationWritten), owner != nil {
                        try await connection.query("""
                            INSERT INTO messages (id, conversation_id, role, content, trace_id) VALUES (\(UUID()), \(requested), 'user', \(content), \(trace))
                            """, logger: logger)
                    }
                    return nil
                }
                conversation = requested
                try await connection.query("UPDATE conversations SET updated_at = now() WHERE id = \(conversation)", logger: logger)
            } else {
                conversation = UUID()
                let userType = anonymous && !faults.contains(.conversationTypeRegistered) ? "anonymous" : "registered"
                let title = String(content.prefix(60))
                try await connection.query("""
                    INSERT INTO conversations (id, user_id, user_type, title) VALUES (\(conversation), \(user), \(userType), \(title))
                    """, logger: logger)
            }
            var chatSession: UUID?
            for try await (id) in try await connection.query("""
                UPDATE chat_sessions SET message_count = message_count + \(faults.contains(.messageCountZero) ? 0 : 1), db_updated_at = now()
                WHERE conversation_id = \(conversation) RETURNING id
                """, logger: logger).decode(UUID.self) { chatSession = id }
            if chatSession == nil {
                let id = UUID()
                try await connection.query("""
                    INSERT INTO chat_sessions (id, user_id, conversation_id, message_count) VALUES (\(id), \(user), \(conversation), \(faults.contains(.messageCountZero) ? 0 : 1))
                    """, logger: logger)
                chatSession = id
            }
            let session = chatSession!
            try await connection.query("""
                INSERT INTO chat_raw (session_id, role, content, model, trace_id) VALUES (\(session), 'system', \(system), \(model), \(trace)),
                       (\(session), 'user', \(content), \(model), \(trace))
                """, logger: logger)
            try await connection.query("""
                INSERT INTO messages (id, conversation_id, role, content, trace_id) VALUES (\(UUID()), \(conversation), 'user', \(content), \(trace))
                """, logger: logger)
            return Turn(conversationID: conversation, chatSessionID: session, messageID: UUID())
        }
    }

    /// The writes at the end of a message: the final assistant row and the counts.
    func finishTurn(_ turn: Turn, content: String, model: String, trace: String) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("""
                INSERT INTO chat_raw (session_id, role, content, model, final_markdown, is_final, trace_id)
                VALUES (\(turn.chatSessionID), 'assistant', \(content), \(model), \(faults.contains(.finalMarkdownUpperCased) ? content.uppercased() : content), true, \(trace))
                """, logger: logger)
            try await connection.query("""
                INSERT INTO messages (id, conversation_id, role, content, trace_id) VALUES (\(turn.messageID), \(turn.conversationID), 'assistant', \(content), \(trace))
                """, logger: logger)
            try await connection.query("""
                UPDATE chat_sessions SET message_count = message_count + \(faults.contains(.messageCountZero) ? 0 : 1), db_updated_at = now() WHERE id = \(turn.chatSessionID)
                """, logger: logger)
            if faults.contains(.timestampsBackwards) {
                try await connection.query("UPDATE conversations SET updated_at = created_at - interval '1 hour' WHERE id = \(turn.conversationID)", logger: logger)
            } else {
                try await connection.query("UPDATE conversations SET updated_at = now() WHERE id = \(turn.conversationID)", logger: logger)
            }
        }
    }

    public struct Conversation: Sendable {
        public var owner: UUID
        public var title: String?
        public var userType: String
        public var createdAt: Date
        public var updatedAt: Date
        public var messages: [(id: UUID, role: String, content: String?, createdAt: Date)]
    }

    /// A conversation with its user and assistant messages in order.
    func conversation(_ id: UUID) async throws -> Conversation? {
        var found: Conversation?
        for try await (owner, title, type, created, updated) in try await client.query("""
            SELECT user_id, title, user_type, created_at, updated_at FROM conversations WHERE id = \(id)
            """, logger: logger).decode((UUID, String?, String, Date, Date).self) {
            found = Conversation(owner: owner, title: title, userType: type, createdAt: created, updatedAt: updated, messages: [])
        }
        guard var conversation = found else { return nil }
        for try await (message, role, content, created) in try await client.query("""
            SELECT id, role, content, created_at FROM messages WHERE conversation_id = \(id) AND role IN ('user', 'assistant')
            ORDER BY created_at, CASE role WHEN 'user' THEN 0 ELSE 1 END
            """, logger: logger).decode((UUID, String, String?, Date).self) {
            conversation.messages.append((message, role, content, created))
        }
        return conversation
    }

    func conversationOwner(_ id: UUID) async throws -> UUID? {
        for try await (owner) in try await client.query("SELECT user_id FROM conversations WHERE id = \(id)", logger: logger).decode(UUID.self) { return owner }
        return nil
    }

    // MARK: logs

    func logRequest(trace: String, user: UUID?, userType: String?, route: String, status: Int, duration: Int, errorCode: String?) async throws {
        try await client.query("""
            INSERT INTO request_log (trace_id, user_id, user_type, route, status, duration_ms, err_code)
            VALUES (\(trace), \(user), \(userType), \(route), \(status), \(duration), \(errorCode))
            """, logger: logger)
    }

    func logError(status: Int, code: String, trace: String, user: UUID?, route: String) async throws {
        try await client.query("""
            INSERT INTO api_errors (status, code, trace_id, user_id, route) VALUES (\(status), \(code), \(trace), \(user), \(route))
            """, logger: logger)
    }
}
