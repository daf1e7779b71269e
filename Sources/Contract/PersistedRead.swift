import Foundation
import Transport

/// A read of what a message persisted, repeated until it holds or the persist
/// timeout passes. CONTRACT §5 asks for the rows "after one successful POST", and
/// a correct backend may write them in a task after its reply (a web framework's
/// background task): the reader waits a bounded time, and says how long it took.
public struct PersistedRead: Sendable {
    /// How long after the reply the read keeps trying (`ANON_E2E_PERSIST_TIMEOUT`).
    public var timeout: Duration
    public var interval: Duration

    public init(timeout: Duration, interval: Duration = .milliseconds(100)) {
        self.timeout = timeout
        self.interval = interval
    }

    /// What the last read gave, whether it held, and how long the reads took.
    public struct Outcome<Value> {
        public var value: Value
        public var held: Bool
        public var waited: Duration
        public var reads: Int

        /// For a failure message: the read was not a single early look.
        public var description: String {
            let ms = String(format: "%.0f ms", waited.inMilliseconds)
            return held ? "held \(ms) after the reply" : "still not there after \(reads) reads over \(ms) after the reply"
        }
    }

    /// Reads until `holds` says yes, or the timeout has passed (then the last read is the answer).
    public func until<Value>(_ read: () async throws -> Value, holds: (Value) -> Bool) async throws -> Outcome<Value> {
        let clock = ContinuousClock()
        let started = clock.now
        var reads = 0
        while true {
            let value = try await read()
            reads += 1
            let waited = clock.now - started
            if holds(value) { return Outcome(value: value, held: true, waited: waited, reads: reads) }
            if waited >= timeout { return Outcome(value: value, held: false, waited: waited, reads: reads) }
            try await Task.sleep(for: min(interval, timeout - waited))
        }
    }
}
