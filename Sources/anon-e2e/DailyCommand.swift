import ArgumentParser
import Foundation
import RunHistory
import Contract
import Evidence
import RunReporting

/// `anon-e2e daily` (seed 001): one ordinary conversation for an anonymous
/// and a registered user, through the messages endpoint only, checked and
/// recorded in the history. Exits 1 when either failed.
struct DailyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daily",
        abstract: "The daily run: an anonymous and a registered conversation, checked, recorded in the history."
    )

    @Option(name: .long, help: "The daily assertions on the rows (used when DB_CONN is set).")
    var sql = "sql/daily.sql"

    @Option(name: .long, parsing: .upToNextOption, help: "Which users: anonymous, registered (default both).")
    var users: [String] = DailyConversation.User.allCases.map(\.rawValue)

    func run() async throws {
        let (configuration, configurationError) = Configuration.loadReporting()
        let runID = configuration.runID
        let directory = URL(fileURLWithPath: configuration.text(.artifactsDirectory)).appendingPathComponent(runID)
        // A run that cannot start is recorded too, as stopped before testing.
        let missing = [ConfigurationKey.supabaseURL, .supabaseAnonKey, .apiBase].filter { configuration[$0] == nil }.map(\.name)
        if configurationError != nil || !missing.isEmpty {
            let reason = configurationError.map { "the configuration cannot be read: \($0)" }
                ?? "\(missing.joined(separator: ", ")) not set: the daily run needs the auth and the API"
            let finish = RunFinish(configuration: configuration, configurationError: nil, directory: directory)
            try await FinishCommand.conclude(finish, RunOutcome(kind: .daily, log: TestEventLog(cases: []),
                                                                stop: RunOutcome.Stop(stage: "configuration", reason: reason)))
            return
        }
        let redactor = Redactor(configuration: configuration)
        let recorder = EvidenceRecorder(root: URL(fileURLWithPath: configuration.text(.artifactsDirectory)), runID: runID, redactor: redactor)
        let backend = StagingBackend(configuration: configuration, redactor: redactor)
        let conversation = DailyConversation(backend: backend, assertions: URL(fileURLWithPath: sql))
        let started = Date()
        var outcomes: [DailyConversation.Outcome] = []
        for name in users {
            guard let user = DailyConversation.User(rawValue: name) else {
                print("anon-e2e daily: unknown user kind \(name) (anonymous, registered)")
                throw ExitCode(1)
            }
            let outcome = await conversation.run(user)
            outcomes.append(outcome)
            try Self.record(outcome, recorder: recorder)
            print("daily \(user.rawValue): \(outcome.passed ? "passed" : "FAILED") in \(String(format: "%.1f", outcome.seconds)) s, trace \(outcome.traceID ?? "none")" +
                  (outcome.identity.isEmpty ? "" : " (\(outcome.identity))"))
            for failure in outcome.failures { print("  ✘ \(redactor.redact("expected \(failure.check)\(failure.detail.map { "; \($0)" } ?? "")"))") }
        }

        let cases = outcomes.map { outcome in
            TestEventLog.Case(caseID: outcome.caseID, displayName: "an ordinary \(outcome.user.rawValue) conversation, checked end to end",
                              verdict: outcome.passed ? .passed : .failed,
                              reason: outcome.passed ? nil : outcome.failures.map { "expected \($0.check)\($0.detail.map { "; \($0)" } ?? "")" }.joined(separator: "\n"),
                              seconds: outcome.seconds, isTestFunction: false)
        }
        let log = TestEventLog(cases: cases, startedAt: started, wallSeconds: Date().timeIntervalSince(started))
        let finish = RunFinish(configuration: configuration, configurationError: nil, directory: recorder.directory)
        try await FinishCommand.conclude(finish, RunOutcome(kind: .daily, log: log))
    }

    static func record(_ outcome: DailyConversation.Outcome, recorder: EvidenceRecorder) throws {
        let user = outcome.user.rawValue
        let test = outcome.caseID
        recorder.note(TraceNote(kind: .signIn, caseID: test, message: "daily \(user)\(outcome.identity.isEmpty ? "" : " (\(outcome.identity))")"))
        if let trace = outcome.traceID {
            recorder.note(TraceNote(kind: .exchange, caseID: test, traceID: trace, request: "POST messages", status: nil, artifacts: ["sse_\(user).log"]))
        }
        for (name, value) in outcome.measurements {
            recorder.note(TraceNote(kind: .measurement, caseID: test, traceID: outcome.traceID, name: name, value: value))
        }
        if !outcome.transcript.isEmpty { try recorder.record("sse_\(user).log", text: outcome.transcript) }
        if !outcome.rows.isEmpty { try recorder.record("db_assert_report_daily_\(user).md", text: outcome.rows) }
        try recorder.record("daily_\(user).json", json: outcome.verdicts)
    }

    static func runID() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: Date()) + "-daily"
    }
}
