/// How a soak came through its faults (seed 004): each fault's recovery time,
/// from the moment it began (the kill) to the first request admitted after the
/// outage it caused, under a ceiling; and the success rate of the closures that
/// started outside every fault's window, under a floor, so that a backend that
/// fails a share of requests throughout cannot hide behind "it recovered".
public struct FaultRecovery: Sendable {
    /// One closure, in seconds from the soak's start.
    public struct Closure: Sendable {
        public var started: Double
        public var ended: Double
        public var succeeded: Bool

        public init(started: Double, ended: Double, succeeded: Bool) {
            self.started = started
            self.ended = ended
            self.succeeded = succeeded
        }
    }

    public var faults: [LoadRun.FaultRecord]
    /// Closures that started outside every fault's window, and how many of them succeeded.
    public var outside: (total: Int, succeeded: Int)
    public var problems: [String]

    /// - Parameters:
    ///   - rtoCeiling: the longest a recovery may take, in seconds.
    ///   - minimumSuccessRate: the floor for closures outside the fault windows.
    ///   - minimumOutside: fewer closures outside the windows than this cannot bound the rate (said so).
    public init(faults: [LoadRun.FaultRecord], closures: [Closure], rtoCeiling: Double, minimumSuccessRate: Double, minimumOutside: Int = 20) {
        var problems: [String] = []
        let byStart = closures.sorted { $0.started < $1.started }
        // A closure in flight when a fault begins may fail by it: as long as nearly all successes take (their 95th percentile).
        let durations = byStart.filter(\.succeeded).map { $0.ended - $0.started }.sorted()
        let lead = max(5, durations.isEmpty ? 0 : durations[min(durations.count - 1, durations.count * 95 / 100)])
        var windows: [(from: Double, to: Double)] = []
        self.faults = faults.map { fault in
            var record = fault
            // The outage a fault caused begins with the first closure it failed (started after it began, before it ended
            // plus the lead); the recovery is the first success started after that. A fault that failed nothing had no outage.
            let outage = byStart.first { !$0.succeeded && $0.started >= fault.startedAt && $0.started <= fault.endedAt + lead }
            if let outage {
                let recovered = byStart.first { $0.succeeded && $0.started > outage.started }
                record.rtoSeconds = recovered.map { $0.started - fault.startedAt }
            } else {
                record.rtoSeconds = 0
            }
            switch record.rtoSeconds {
            case nil: problems.append("\(fault.name): no closure succeeded after the outage it caused: not recovered")
            case let rto? where rto > rtoCeiling:
                problems.append(String(format: "%@: recovered %.1f s after it began, beyond the ceiling of %.0f s", fault.name, rto, rtoCeiling))
            default: break
            }
            windows.append((fault.startedAt - lead, max(fault.endedAt, fault.startedAt + (record.rtoSeconds ?? .infinity))))
            return record
        }
        let outsideClosures = byStart.filter { closure in !windows.contains { closure.started >= $0.from && closure.started <= $0.to } }
        outside = (outsideClosures.count, outsideClosures.filter(\.succeeded).count)
        if outside.total < minimumOutside {
            problems.append("only \(outside.total) closures started outside the fault windows: too few to bound the success rate (run longer)")
        } else if Double(outside.succeeded) < minimumSuccessRate * Double(outside.total) {
            problems.append(String(format: "success rate %.1f%% outside the fault windows (%d of %d closures; expected ≥ %.0f%%)",
                                   Double(outside.succeeded) / Double(outside.total) * 100, outside.succeeded, outside.total, minimumSuccessRate * 100))
        }
        self.problems = problems
    }
}
