import Foundation
import Synchronization

/// One line of a run's `index.jsonl`: what a case did under which trace id,
/// which artifacts it wrote, how its assertions and warnings came out. The
/// report is built from these lines and the JUnit XML of the run.
public struct TraceNote: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case exchange, assertion, warning, signIn, mutation, limit, skip, heartbeat, measurement
        /// The contract rules a case declares, space-separated in `message` (written by `.rules(...)`).
        case rules
        /// A message request the suite built, by its trace id: every row a run leaves must belong to one.
        case sent
    }

    public var kind: Kind
    /// The case that wrote it (nil outside a case).
    public var caseID: CaseID?
    public var traceID: String?
    public var request: String?
    public var status: Int?
    public var artifacts: [String]?
    public var name: String?
    public var passed: Bool?
    public var message: String?
    /// A measurement's value (milliseconds, or a count), named by `name`.
    public var value: Double?

    public init(kind: Kind, caseID: CaseID? = nil, traceID: String? = nil, request: String? = nil, status: Int? = nil,
                artifacts: [String]? = nil, name: String? = nil, passed: Bool? = nil, message: String? = nil, value: Double? = nil) {
        self.kind = kind
        self.caseID = caseID
        self.traceID = traceID
        self.request = request
        self.status = status
        self.artifacts = artifacts
        self.name = name
        self.passed = passed
        self.message = message
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case kind, traceID, request, status, artifacts, name, passed, message, value
        case caseID = "case"
    }
}

extension EvidenceRecorder {
    static let indexLock = Mutex(())

    /// Appends a note to `index.jsonl` (redacted like every artifact).
    public func note(_ note: TraceNote) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(note) else { return }
        let line = redactor.redact(Array(data)) + [10]
        Self.indexLock.withLock { _ in
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let url = directory.appendingPathComponent("index.jsonl")
            if let handle = try? FileHandle(forWritingTo: url) {
                handle.seekToEndOfFile()
                handle.write(Data(line))
                try? handle.close()
            } else {
                try? Data(line).write(to: url)
            }
        }
    }

    /// The notes written so far in this run directory.
    public static func notes(in directory: URL) -> [TraceNote] {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("index.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(TraceNote.self, from: Data($0.utf8)) }
    }
}

extension TraceNote {
    /// The message of a `signIn` note for an anonymous sign-in (a registered user's sign-up is noted too).
    public static let anonymousSignIn = "anonymous sign-in"

    /// The measurement of how long a case waited for its anonymous users (ms): the run's time, not the case's work.
    public static let leaseWait = "lease_wait_ms"

    /// How many anonymous users a run signed in (CONTRACT S1.18: its budget).
    public static func anonymousSignIns(in notes: [TraceNote]) -> Int {
        notes.filter { $0.kind == .signIn && $0.message == anonymousSignIn }.count
    }
}
