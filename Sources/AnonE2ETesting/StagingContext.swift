import Foundation
import Contract
import Evidence
import Testing

/// Everything a Staging case works with, made in one place and in one order
/// from one configuration: the redactor its secrets make, the recorder that
/// writes through that redactor (each artifact also attached to the test that
/// wrote it), the backend with its stream ledger, the pool of anonymous users.
/// Cases reach it through `Staging`, which reads the task's context: the
/// process's, or the one a `.staging(_:)` suite trait sets.
public final class StagingContext: Sendable {
    public let configuration: Configuration
    public let redactor: Redactor
    public let evidence: EvidenceRecorder
    public let backend: StagingBackend
    let identities: IdentityPool
    /// The run's one signed-out session, shared by the cases that check what follows a sign-out.
    let signedOut = Once<SignedOutSession>("a signed-out session")

    public init(configuration: Configuration) {
        self.configuration = configuration
        let redactor = Redactor(configuration: configuration)
        self.redactor = redactor
        let evidence = EvidenceRecorder(configuration: configuration, redactor: redactor)
        evidence.addSink { name, bytes in
            // Outside a running test there is nothing to attach to.
            guard Test.current != nil else { return }
            Attachment.record(bytes, named: name)
        }
        self.evidence = evidence
        let measurements = Measurements(evidence: evidence, inFlight: StreamsInFlight())
        let backend = StagingBackend(configuration: configuration, redactor: redactor, inFlight: measurements.inFlight, onStream: { measurements.note($0) },
                                     onMessage: { evidence.note(TraceNote(kind: .sent, caseID: Staging.caseID, traceID: $0)) })
        self.backend = backend
        identities = IdentityPool(
            budget: configuration.int(.signInBudget), allowance: configuration.int(.anonymousDailyQuota) - 2,
            wait: configuration.duration(.replyTimeout) * 2,
            cache: configuration[.identityCache].map { IdentityCache(url: URL(fileURLWithPath: $0), secrets: redactor) },
            signIn: { try await Staging.signInAnonymously(auth: backend.auth, evidence: evidence) },
            refresh: { try await backend.auth.refresh($0) })
    }

    /// The process's context, from the configuration it loaded (`Configuration.current`).
    public static let process = StagingContext(configuration: .current)

    /// The running task's context.
    @TaskLocal public static var current: StagingContext = .process
}

/// Runs a suite's cases in a context of their own (`StagingContext.current`).
public struct StagingContextTrait: SuiteTrait, TestTrait, TestScoping {
    public let context: StagingContext
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await StagingContext.$current.withValue(context) { try await function() }
    }
}

extension Trait where Self == StagingContextTrait {
    /// The suite's cases see this configuration (and the redactor, recorder and backend it makes).
    public static func staging(_ configuration: Configuration) -> Self { StagingContextTrait(context: StagingContext(configuration: configuration)) }
}

/// The phases of every answered stream, noted for the history and the metrics.
struct Measurements: Sendable {
    let evidence: EvidenceRecorder
    let inFlight: StreamsInFlight

    func note(_ stream: MessageStream) {
        guard (200..<300).contains(stream.head.status), !stream.transcript.items.isEmpty else { return }
        let measured = StreamMeasurements(stream)
        for (name, value) in measured.values + [("streams_in_flight", Double(inFlight.most))] {
            evidence.note(TraceNote(kind: .measurement, caseID: Staging.caseID, traceID: stream.traceID, name: name, value: value))
        }
    }
}
