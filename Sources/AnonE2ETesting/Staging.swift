import Foundation
import Testing
import Contract
import Evidence
import Protocols
import Transport

/// What every Staging case shares: the backend, the evidence recorder,
/// verdicts turned into expectations, warnings, and the anonymous users leased
/// from the run's sign-in budget (Supabase limits sign-ins per IP).
public enum Staging {
    public static var context: StagingContext { .current }
    public static var configuration: Configuration { context.configuration }
    public static var backend: StagingBackend { context.backend }
    public static var evidence: EvidenceRecorder { context.evidence }
    public static var redactor: Redactor { context.redactor }
    /// Every message stream this context read (the heartbeat rule holds on all of them).
    public static var ledger: StreamLedger { context.backend.ledger }

    /// The running case, as notes, reports and the history name it.
    public static var caseID: CaseID? { Test.current.flatMap { CaseID(testID: $0.id.description) } }

    /// Ends the running case as skipped: its rule could not be checked here.
    /// The reason goes to the console, the JUnit XML and REPORT.md (from the
    /// event stream); strict mode fails the run unless ANON_E2E_ALLOW_SKIP lists the case.
    public static func skip(_ reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Never {
        evidence.note(TraceNote(kind: .skip, caseID: caseID, message: reason))
        try Test.cancel(Comment(rawValue: reason), sourceLocation: sourceLocation)
    }

    /// Records an issue for each failed verdict, saying what was expected and what came.
    public static func expect(_ verdicts: [Verdict], _ subject: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for verdict in verdicts where !verdict.passed {
            // Through the redactor: the console and the event stream are outputs too.
            Issue.record(Comment(rawValue: redactor.redact("\(subject): expected \(verdict.check)\(verdict.detail.map { "; \($0)" } ?? "")")),
                         sourceLocation: sourceLocation)
        }
    }

    /// A SHOULD of the contract that does not hold: a warning in the test
    /// output and in the report, never a failure.
    public static func warn(_ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        Issue.record(Comment(rawValue: redactor.redact(message)), severity: .warning, sourceLocation: sourceLocation)
        evidence.note(TraceNote(kind: .warning, caseID: caseID, message: message))
    }

    /// Reads what the message `traceID` persisted, again until `holds` (a backend may write it after
    /// its reply, CONTRACT §5): how long that took is noted as `persisted_ms` for the report.
    public static func persisted<Value>(_ traceID: String, _ read: () async throws -> Value,
                                        holds: (Value) -> Bool) async throws -> PersistedRead.Outcome<Value> {
        let outcome = try await backend.persisted.until(read, holds: holds)
        evidence.note(TraceNote(kind: .measurement, caseID: caseID, traceID: traceID, name: "persisted_ms", value: outcome.waited.inMilliseconds))
        return outcome
    }

    /// Writes an exchange artifact and notes its trace id for the report.
    @discardableResult
    public static func record(_ name: String, request: HTTPRequest, response: HTTPResponse?, traceID: String?, verdicts: [Verdict] = []) throws -> URL {
        let url = try evidence.record(name, json: HTTPExchangeRecord(request: request, response: response, verdicts: verdicts))
        let code = (response?.status ?? 0) >= 400 ? response.flatMap { JSONValue.parse($0.body)?.object?["code"]?.string } : nil
        noteExchange(traceID: traceID, request: request, status: response?.status, artifacts: [name], code: code)
        return url
    }

    /// - Parameter code: a refusal's `code`, for the history's error mix.
    public static func noteExchange(traceID: String?, request: HTTPRequest, status: Int?, artifacts: [String], code: String? = nil) {
        let path = URLComponents(string: request.url)?.path ?? request.url
        evidence.note(TraceNote(kind: .exchange, caseID: caseID, traceID: traceID, request: "\(request.method.rawValue) \(path)",
                                status: status, artifacts: artifacts, message: code))
    }

    /// The suite's anonymous user, shared by its cases and back to the pool when
    /// the suite ends. `messages`: how many the suite's cases send with it.
    public static func suiteUser(messages: Int) async throws -> GoTrueSession {
        try await suiteUsers(1, messages: messages)[0]
    }

    /// The suite's `count` users (the first call decides), each with `messages`.
    public static func suiteUsers(_ count: Int, messages: Int) async throws -> [GoTrueSession] {
        guard let scope = LeaseScope.suite else { throw outsideScope("suiteUsers") }
        // Not settled here: a refusal beyond the budget skips each case that needs the users (`Once`).
        return try await waitingForUsers {
            try await scope.suiteUsers.value {
                try await context.identities.lease(count, messages: messages, for: scope.holder, lasting: .suite, purpose: "the suite's users")
            }
        }
    }

    /// An anonymous user of the case's own, back to the pool when the case ends.
    public static func user(_ purpose: String, messages: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws -> GoTrueSession {
        try await users(1, purpose, messages: messages, sourceLocation: sourceLocation)[0]
    }

    /// `count` users at once, of the case's own.
    public static func users(_ count: Int, _ purpose: String, messages: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [GoTrueSession] {
        guard let scope = LeaseScope.testCase else { throw outsideScope("user") }
        return try await lease(count, messages: messages, for: scope, lasting: .testCase, purpose: purpose, sourceLocation: sourceLocation)
    }

    /// A user the case found in a bad state (its stream slots still held, say) is
    /// not handed to another case: a broken rule fails its own case, not the next holder's.
    public static func retire(_ session: GoTrueSession) async {
        await context.identities.retire(session)
    }

    /// How many anonymous users the run signed in so far, and its budget.
    public static var signIns: (spent: Int, budget: Int) {
        get async { (await context.identities.signIns, context.identities.budget) }
    }

    /// A user the case spends (it signs out, ends the session, or cuts a stream whose
    /// slot may stay held): one of the run's with `messages` left, or a new sign-in
    /// (`fresh`: always, for a case that counts from zero, like the daily quota's); it never comes back.
    public static func spentUser(_ purpose: String, messages: Int = 0, fresh: Bool = false,
                                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> GoTrueSession {
        guard let scope = LeaseScope.testCase else { throw outsideScope("spentUser") }
        do {
            return try await waitingForUsers { try await context.identities.spend(messages: messages, for: scope.holder, fresh: fresh, purpose: purpose) }
        } catch let refusal as IdentityPool.Refusal {
            try settle(refusal, sourceLocation: sourceLocation)
        }
    }

    private static func lease(_ count: Int, messages: Int, for scope: LeaseScope, lasting tenure: IdentityPool.Tenure, purpose: String,
                              sourceLocation: SourceLocation) async throws -> [GoTrueSession] {
        do {
            return try await waitingForUsers { try await context.identities.lease(count, messages: messages, for: scope.holder, lasting: tenure, purpose: purpose) }
        } catch let refusal as IdentityPool.Refusal {
            try settle(refusal, sourceLocation: sourceLocation)
        }
    }

    /// Gets a case its users, noting how long it waited for them (`lease_wait_ms`: the sign-in budget,
    /// another case's hold, the suite's lease): time of the run's, not of the case's own work.
    private static func waitingForUsers<Value>(_ lease: () async throws -> Value) async throws -> Value {
        let started = ContinuousClock.now
        defer {
            evidence.note(TraceNote(kind: .measurement, caseID: caseID, name: TraceNote.leaseWait, value: (ContinuousClock.now - started).inMilliseconds))
        }
        return try await lease()
    }

    /// A request beyond the budget skips the case (its rule was not checked);
    /// a refused sign-in or a wait too long fails it.
    private static func settle(_ refusal: IdentityPool.Refusal, sourceLocation: SourceLocation) throws -> Never {
        if case let .beyondBudget(reason) = refusal { try skip(reason, sourceLocation: sourceLocation) }
        throw refusal
    }

    static func outsideScope(_ call: String) -> FixtureFailed {
        FixtureFailed(fixture: "an anonymous user", cause: "Staging.\(call) needs the suite's .anonymousUsers trait")
    }

    /// A new anonymous sign-in, noted for the report (the pool's only way to a user).
    static func signInAnonymously(auth: GoTrueClient, evidence: EvidenceRecorder) async throws -> GoTrueSession {
        let started = ContinuousClock.now
        let session = try await auth.signInAnonymously()
        evidence.note(TraceNote(kind: .signIn, caseID: caseID, message: TraceNote.anonymousSignIn))
        evidence.note(TraceNote(kind: .measurement, caseID: caseID, name: "sign_in_ms", value: (ContinuousClock.now - started).inMilliseconds))
        return session
    }
}
