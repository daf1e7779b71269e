import Foundation
import RunHistory

/// One run as the pipeline judges it, read once: the cases (from the test
/// process's event stream, or the daily run's own), the process's exit status,
/// the filter that chose the cases, and, for a run that never reached its
/// cases, where it stopped and why.
public struct RunOutcome: Sendable {
    /// A run that stopped before testing: the stage (build, configuration, …) and why.
    public struct Stop: Sendable, Equatable {
        public let stage: String
        public let reason: String
        public init(stage: String, reason: String) {
            self.stage = stage
            self.reason = reason
        }
    }

    public var kind: HistoryRun.Kind
    public var log: TestEventLog
    /// The `--filter` that chose the cases; nil for the whole suite.
    public var filter: String?
    /// `swift test`'s exit status; nil where no test process ran (the daily run).
    public var testExitStatus: Int32?
    public var stop: Stop?

    public init(kind: HistoryRun.Kind = .suite, log: TestEventLog, filter: String? = nil, testExitStatus: Int32? = nil, stop: Stop? = nil) {
        self.kind = kind
        self.log = log
        self.filter = filter.flatMap { $0.isEmpty ? nil : $0 }
        self.testExitStatus = testExitStatus
        self.stop = stop
    }

    /// A suite run from its event stream. A stream that is missing (the test
    /// process never started) or unreadable is a stop at the testing stage,
    /// never a run without cases.
    public static func suite(events: URL?, filter: String?, testExitStatus: Int32?, stop: Stop?) -> RunOutcome {
        guard stop == nil, let events else { return RunOutcome(log: TestEventLog(cases: []), filter: filter, testExitStatus: testExitStatus, stop: stop) }
        do {
            return RunOutcome(log: try TestEventLog(contentsOf: events), filter: filter, testExitStatus: testExitStatus)
        } catch {
            let status = testExitStatus.map { " (swift test exited with status \($0))" } ?? ""
            return RunOutcome(log: TestEventLog(cases: []), filter: filter, testExitStatus: testExitStatus,
                              stop: Stop(stage: "testing", reason: "\(error)\(status)"))
        }
    }
}
