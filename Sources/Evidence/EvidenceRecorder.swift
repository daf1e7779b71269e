import Foundation
import Synchronization

/// Writes a run's artifacts under `artifacts/<run-id>/` (and points
/// `artifacts/latest` at it), and hands each one to the registered sinks
/// (Swift Testing attachments). Every byte passes the redactor first.
public final class EvidenceRecorder: Sendable {
    public typealias Sink = @Sendable (_ name: String, _ bytes: [UInt8]) -> Void

    public let runID: String
    public let directory: URL
    public let redactor: Redactor
    private let sinks = Mutex<[Sink]>([])
    private let written = Mutex<[String]>([])

    public init(root: URL, runID: String, redactor: Redactor) {
        self.runID = runID
        self.directory = root.appendingPathComponent(runID, isDirectory: true)
        self.redactor = redactor
    }

    public func addSink(_ sink: @escaping Sink) {
        sinks.withLock { $0.append(sink) }
    }

    /// Names of the artifacts written so far, in order.
    public var artifacts: [String] { written.withLock { $0 } }

    /// Text as it is (logs, SSE transcripts, Markdown).
    @discardableResult
    public func record(_ name: String, text: String) throws -> URL {
        try store(name, Array(text.utf8))
    }

    /// A value as pretty, key-sorted JSON.
    @discardableResult
    public func record(_ name: String, json value: some Encodable) throws -> URL {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try store(name, Array(try encoder.encode(value)) + [10])
    }

    /// Raw bytes (a recorded body).
    @discardableResult
    public func record(_ name: String, bytes: [UInt8]) throws -> URL {
        try store(name, bytes)
    }

    private func store(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let safe = redactor.redact(bytes)
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(safe).write(to: url, options: .atomic)
        pointLatest()
        written.withLock { if !$0.contains(name) { $0.append(name) } }
        for sink in sinks.withLock({ $0 }) { sink(name, safe) }
        return url
    }

    private func pointLatest() {
        let latest = directory.deletingLastPathComponent().appendingPathComponent("latest")
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: latest.path)) == runID { return }
        try? FileManager.default.removeItem(at: latest)
        try? FileManager.default.createSymbolicLink(atPath: latest.path, withDestinationPath: runID)
    }

    public static func newRunID() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "\(formatter.string(from: Date()))-\(ProcessInfo.processInfo.processIdentifier)"
    }
}
