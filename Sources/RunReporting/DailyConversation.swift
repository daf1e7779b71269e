import Foundation
import Contract
import Evidence
import Protocols
import Transport

/// Seed 001's daily check: one ordinary conversation through the messages
/// endpoint, for an anonymous or a registered user. Sign-in → the token's
/// claims → a message with the assembled system prompt → the stream's
/// invariants → the rows (when a database is configured). Every failed
/// check is a verdict; nothing throws past the outcome.
public struct DailyConversation: Sendable {
    public enum User: String, Sendable, CaseIterable { case anonymous, registered }

    public struct Outcome: Sendable {
        public var user: User
        public var verdicts: [Verdict] = []
        public var traceID: String?
        public var measurements: [(name: String, value: Double)] = []
        public var transcript: String = ""
        public var seconds: Double = 0
        /// The rows' assertions, as Markdown (empty without a database).
        public var rows: String = ""
        /// How the registered user was had: "signed in" or "signed up".
        public var identity: String = ""
        public var failures: [Verdict] { verdicts.filter { !$0.passed } }
        /// `Daily/anonymous`, `Daily/registered`.
        public var caseID: CaseID { CaseID(suite: "Daily", function: user.rawValue) }
        public var passed: Bool { !verdicts.isEmpty && failures.isEmpty }
    }

    public let backend: StagingBackend
    public let assertions: URL

    /// - Parameter assertions: `sql/daily.sql`.
    public init(backend: StagingBackend, assertions: URL) {
        self.backend = backend
        self.assertions = assertions
    }

    public func run(_ user: User) async -> Outcome {
        let started = ContinuousClock.now
        var outcome = Outcome(user: user)
        do {
            try await converse(user, into: &outcome)
        } catch {
            outcome.verdicts.append(Verdict("the conversation completes", passed: false, detail: backend.redactor.redact("\(error)")))
        }
        outcome.seconds = (ContinuousClock.now - started).inMilliseconds / 1000
        return outcome
    }

    private func converse(_ user: User, into outcome: inout Outcome) async throws {
        let configuration = backend.configuration
        let signInStarted = ContinuousClock.now
        let session = try await signIn(user, outcome: &outcome)
        outcome.measurements.append(("sign_in_ms", (ContinuousClock.now - signInStarted).inMilliseconds))
        outcome.verdicts += AccessTokenClaims(issuer: backend.issuer).required(try JWT(session.accessToken), session: session, anonymous: user == .anonymous)

        let system = configuration[.dailySystemPrompt].flatMap { $0.isEmpty ? nil : $0 }
        let prompt = configuration.text(.dailyPrompt)
        let stream = try await backend.messages.stream(prompt, token: session.accessToken, system: system)
        outcome.traceID = stream.traceID
        outcome.transcript = stream.transcript.text
        let invariants = StreamInvariants(configuration: configuration)
        outcome.verdicts += invariants.head(stream) + invariants.frames(stream) + invariants.contents(stream)
        if case let .failed(reason) = stream.ending { outcome.verdicts.append(Verdict("the stream ends with final", passed: false, detail: reason)) }
        let measured = StreamMeasurements(stream)
        outcome.measurements += measured.values

        guard let connection = configuration[.dbConn], !connection.isEmpty else { return }
        let file = try SQLAssertionFile(contentsOf: assertions)
        let parameters: [String: String?] = [
            "user_id": session.userID, "user_type": user.rawValue, "trace_id": stream.traceID,
            "final_content": stream.reply, "system_prompt": system,
        ]
        let database = try PostgresSession(connection)
        // The rows may land after the reply (CONTRACT §5): read again until they hold, or the persist timeout.
        let read = try await backend.persisted.until({ file.run(on: database, parameters: parameters) }, holds: { $0.allSatisfy(\.passed) })
        outcome.rows = read.value.markdown(title: "Daily rows: \(user.rawValue)", parameters: parameters)
        outcome.verdicts += read.value.map { Verdict("rows: \($0.assertion.name)", passed: $0.passed, detail: $0.failure.map { "\($0) (\(read.description))" }) }
        outcome.measurements.append(("persisted_ms", read.waited.inMilliseconds))
    }

    private func signIn(_ user: User, outcome: inout Outcome) async throws -> GoTrueSession {
        let auth = backend.auth
        guard user == .registered else { return try await auth.signInAnonymously() }
        let configuration = backend.configuration
        if let email = configuration[.dailyEmail], !email.isEmpty, let password = configuration[.dailyPassword], !password.isEmpty {
            do {
                let session = try await auth.signIn(email: email, password: password)
                outcome.identity = "signed in"
                return session
            } catch let error as GoTrueError where error.status == 400 {
                // The first day: the configured user does not exist yet.
                let session = try await auth.signUp(email: email, password: password)
                outcome.identity = "signed up"
                return session
            }
        }
        let domain = configuration.text(.registeredEmailDomain)
        let password = "pw-" + UUID().uuidString
        auth.secrets.register(password, label: "the daily registered user's password")
        let session = try await auth.signUp(email: "daily-\(UUID().uuidString.prefix(12).lowercased())@\(domain)", password: password)
        outcome.identity = "signed up"
        return session
    }
}
