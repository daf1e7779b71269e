import Foundation
import Testing
import Contract
import Evidence
import Protocols
import Transport

/// What every Staging case shares: the backend, the evidence recorder,
/// verdicts turned into expectations, warnings, and anonymous identities
/// (signed in once per suite, since Supabase limits them per IP).
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

    /// One anonymous session per key (a suite's name), signed in on first use.
    public static func anonymous(_ key: String) async throws -> GoTrueSession {
        try await context.identities.once(key).value {
            try await signInAnonymously(key)
        }
    }

    /// A fresh anonymous identity (a case that signs out, or provokes limits); counted in the report.
    public static func signInAnonymously(_ purpose: String) async throws -> GoTrueSession {
        let started = ContinuousClock.now
        let session = try await backend.auth.signInAnonymously()
        evidence.note(TraceNote(kind: .signIn, caseID: caseID, message: purpose))
        evidence.note(TraceNote(kind: .measurement, caseID: caseID, name: "sign_in_ms", value: (ContinuousClock.now - started).inMilliseconds))
        return session
    }
}

/// One sign-in per key; concurrent first uses share it.
actor Identities {
    private var sessions: [String: Once<GoTrueSession>] = [:]

    func once(_ key: String) -> Once<GoTrueSession> {
        if let existing = sessions[key] { return existing }
        let once = Once<GoTrueSession>("the anonymous session \(key)")
        sessions[key] = once
        return once
    }
}
