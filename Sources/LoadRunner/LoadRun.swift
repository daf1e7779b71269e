import Foundation
import Synchronization
import Contract
import Transport

/// The runner of the stability plan: a soak (a steady rate of checked
/// closures, faults injected on a schedule, recovery timed, nothing lost or
/// doubled, resources sampled) and a burst (a ramp over the limits, whose
/// refusals must be the contract's 429 and clear after Retry-After). Every
/// loop is bounded in count and time; the runner stops by itself.
public struct LoadRun: Sendable {
    public struct RunError: Error, CustomStringConvertible { public let description: String }

    public struct Settings: Sendable {
        public var duration: Double = 120
        public var closuresPerSecond: Double = 2
        public var users = 8
        /// The most closures in flight; beyond it the runner is the bottleneck and says so.
        public var maxInFlight = 256
        /// Every Nth success has its rows checked at once (the rest at the end).
        public var databaseCheckEvery = 10
        public var sampleEvery: Double = 2
        /// The longest a fault's recovery may take, in seconds (from its start to the first admitted request after it).
        public var rtoCeiling: Double = 60
        /// The floor of the success rate: of every closure in a soak without faults…
        public var minimumSuccessRate: Double = 0.99
        /// …and of the closures that started outside the fault windows in a soak with them.
        public var minimumSuccessRateOutsideFaults: Double = 0.95
        public init() {}
    }

    public struct FaultRecord: Sendable, Codable {
        public var name: String
        public var startedAt: Double
        public var endedAt: Double
        /// From the fault's start to the first successful closure started after the outage it caused
        /// (0: it caused none; nil: never recovered). FaultRecovery measures it.
        public var rtoSeconds: Double?
    }

    public struct Outcome: Sendable, Codable {
        public var mode: String
        public var seconds: Double
        public var summary: LatencyRecorder.Summary
        public var faults: [FaultRecord]
        public var lost: [String]
        public var doubled: [String]
        public var checkedRows: Int
        public var samples: [ResourceSampler.Sample]
        public var trends: [Trend]
        public var identities: Int
        public var problems: [String]
        /// Per second: closures that succeeded and failed, mean time to final.
        public var series: [SeriesPoint]
        public var passed: Bool { problems.isEmpty }
    }

    public struct SeriesPoint: Sendable, Codable {
        public var second: Int
        public var ok: Int
        public var failed: Int
        public var meanFinal: Double
    }

    public let backend: StagingBackend
    public let databaseURL: String?
    public let settings: Settings

    public init(backend: StagingBackend, databaseURL: String?, settings: Settings) {
        self.backend = backend
        self.databaseURL = databaseURL
        self.settings = settings
    }

    final class Ledger: Sendable {
        let successes = Mutex<[(trace: String, started: ContinuousClock.Instant, ended: ContinuousClock.Instant)]>([])
        let closures = Mutex<[FaultRecovery.Closure]>([])
        let attempted = Mutex<[String]>([])
        let rowFailures = Mutex<[String]>([])
        let checked = Atomic<Int>(0)
        let inFlight = Atomic<Int>(0)
        let saturated = Atomic<Int>(0)
    }

    /// A soak, with the faults of `plan` (none: a plain soak).
    public func soak(plan: FaultPlan = FaultPlan(steps: []), proxy: TCPFaultProxy?, backendPID: @escaping @Sendable () -> Int32?) async -> Outcome {
        let started = ContinuousClock.now
        let recorder = LatencyRecorder(started: started)
        let sampler = ResourceSampler(backendPID: backendPID, databaseURL: databaseURL, started: started)
        let driver = ClosureDriver(backend: backend, users: settings.users)
        let persisted = backend.persisted
        let ledger = Ledger()
        let end = started + .milliseconds(Int64(settings.duration * 1000))
        var faults: [FaultRecord] = []
        var problems: [String] = []

        let sampling = Task {
            while ContinuousClock.now < end, !Task.isCancelled {
                await blocking { sampler.sample() }
                try? await Task.sleep(for: .milliseconds(Int64(settings.sampleEvery * 1000)))
            }
        }
        let faulting = Task { () -> ([FaultRecord], [String]) in
            var records: [FaultRecord] = [], errors: [String] = []
            for step in plan.steps {
                let at = started + .milliseconds(Int64(step.at * 1000))
                if at > ContinuousClock.now { try? await Task.sleep(until: at) }
                let begin = (ContinuousClock.now - started).inMilliseconds / 1000
                do {
                    switch step.fault {
                    case let .command(_, shell):
                        try await blocking { Result { try FaultPlan.shell(shell) } }.get()
                    case let .network(_, mode, seconds):
                        proxy?.set(mode)
                        try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                        proxy?.set(.pass)
                    }
                } catch {
                    errors.append("\(step.fault.name): \(error)")
                }
                records.append(FaultRecord(name: step.fault.name, startedAt: begin, endedAt: (ContinuousClock.now - started).inMilliseconds / 1000))
            }
            return (records, errors)
        }

        // The steady rate: one closure every 1/rate seconds, at most maxInFlight at once.
        // A discarding group: a plain one keeps every finished child until it is awaited (9 KiB a closure over a soak).
        await withDiscardingTaskGroup { group in
            let interval = Duration.milliseconds(Int64(1000 / max(settings.closuresPerSecond, 0.01)))
            var next = started, index = 0
            while next < end {
                if next > ContinuousClock.now { try? await Task.sleep(until: next) }
                next = next + interval
                guard ledger.inFlight.load(ordering: .relaxed) < settings.maxInFlight else {
                    ledger.saturated.add(1, ordering: .relaxed)
                    continue
                }
                let user = index
                index += 1
                ledger.inFlight.add(1, ordering: .relaxed)
                group.addTask {
                    let result = await driver.run(user: user)
                    ledger.inFlight.subtract(1, ordering: .relaxed)
                    recorder.record(result.outcome, phases: result.phases, detail: result.detail)
                    ledger.attempted.withLock { $0.append(result.traceID) }
                    let closure = FaultRecovery.Closure(started: (result.started - started).inMilliseconds / 1000,
                                                        ended: (ContinuousClock.now - started).inMilliseconds / 1000, succeeded: result.outcome == .success)
                    ledger.closures.withLock { $0.append(closure) }
                    guard result.outcome == .success else { return }
                    ledger.successes.withLock { $0.append((result.traceID, result.started, .now)) }
                    if user % settings.databaseCheckEvery == 0, let databaseURL,
                       let problems = await Self.rowsProblem([result.traceID], databaseURL: databaseURL, persisted: persisted) {
                        // Counted once read: a read the run's end cancelled checked nothing.
                        ledger.checked.add(1, ordering: .relaxed)
                        ledger.rowFailures.withLock { $0 += problems }
                    }
                }
            }
        }
        let (records, faultErrors) = await faulting.value
        sampling.cancel()
        await blocking { sampler.sample() }
        problems += faultErrors

        // Recovery: each fault's time to the first admitted request after its outage, and the success rate outside the faults.
        let successes = ledger.successes.withLock { $0 }
        if !records.isEmpty {
            let recovery = FaultRecovery(faults: records, closures: ledger.closures.withLock { $0 }, rtoCeiling: settings.rtoCeiling,
                                         minimumSuccessRate: settings.minimumSuccessRateOutsideFaults)
            faults = recovery.faults
            problems += recovery.problems
        }

        // Nothing lost, nothing doubled: every success has exactly one final assistant row;
        // no trace id of any attempt has two.
        var lost: [String] = [], doubled: [String] = []
        var checkedRows = ledger.checked.load(ordering: .relaxed)
        if let databaseURL {
            let traces = successes.map(\.trace)
            let attempted = ledger.attempted.withLock { $0 }
            let counts = await blocking { Self.finalRows(attempted, databaseURL: databaseURL) }
            switch counts {
            case let .success(rows):
                lost = traces.filter { (rows[$0] ?? 0) == 0 }
                doubled = rows.filter { $0.value > 1 }.map(\.key).sorted()
                checkedRows += traces.count
            case let .failure(error):
                problems.append("the rows could not be checked: \(error)")
            }
            problems += ledger.rowFailures.withLock { $0 }
        } else {
            problems.append("no DB_CONN: lost or doubled messages were not checked")
        }
        if !lost.isEmpty { problems.append("\(lost.count) messages answered 200 with final have no final assistant row (lost): \(lost.prefix(5))") }
        if !doubled.isEmpty { problems.append("\(doubled.count) trace ids have more than one final assistant row (doubled): \(doubled.prefix(5))") }

        let summary = recorder.summary
        let broken = summary.outcomes.filter { ["silent truncation", "violation"].contains($0.key) }
        for (kind, count) in broken { problems.append("\(count) closures: \(kind) (\(summary.examples[kind] ?? ""))") }
        if summary.successes == 0 { problems.append("no closure succeeded") }
        if plan.steps.isEmpty, summary.successRate < settings.minimumSuccessRate {
            problems.append(String(format: "success rate %.1f%% without faults (expected ≥ %.0f%%): %@", summary.successRate * 100,
                                   settings.minimumSuccessRate * 100, "\(summary.outcomes)"))
        }
        let saturated = ledger.saturated.load(ordering: .relaxed)
        if saturated > 0 { problems.append("the runner was saturated \(saturated) times (\(settings.maxInFlight) closures in flight): lower the rate") }

        let samples = sampler.all
        let trends = Self.trends(samples)
        for trend in trends where trend.growsWithoutBound {
            problems.append(String(format: "%@ grows without bound: %+.2f a minute (floor %.0f a minute; mean %.1f)", trend.name, trend.slopePerMinute,
                                   trend.floorPerMinute, trend.mean))
        }
        return Outcome(mode: plan.steps.isEmpty ? "soak" : "fault", seconds: (ContinuousClock.now - started).inMilliseconds / 1000, summary: summary,
                       faults: faults, lost: lost, doubled: doubled, checkedRows: checkedRows, samples: samples, trends: trends,
                       identities: await driver.sessions.signIns, problems: problems, series: recorder.points)
    }

    /// MiB a minute a resident set may grow after its warm-up.
    static let rssFloorPerMinute = 2.0
    /// Descriptors a minute: connection caches refill in steps after each network fault (8 to 13 a minute seen over
    /// a CI soak's last third), while a descriptor kept per closure is 180 a minute at the CI soak's rate.
    static let descriptorFloorPerMinute = 30.0

    static func trends(_ samples: [ResourceSampler.Sample]) -> [Trend] {
        // Floors per minute: a leak of 3 MiB a minute fails a two-minute soak.
        var trends = [
            Trend(name: "runner RSS (MiB)", points: samples.map { ($0.second, $0.runnerRSSMiB) }, floorPerMinute: Self.rssFloorPerMinute),
            Trend(name: "runner fds", points: samples.map { ($0.second, Double($0.runnerFDs)) }, floorPerMinute: Self.descriptorFloorPerMinute),
        ]
        // The backend's series per process: a restart starts it again from its warm-up.
        let lifetimes = samples.filter { $0.backendRSSMiB != nil }.reduce(into: [[ResourceSampler.Sample]]()) { runs, sample in
            if runs.last?.last?.backendPID == sample.backendPID { runs[runs.count - 1].append(sample) } else { runs.append([sample]) }
        }
        if !lifetimes.isEmpty {
            trends.append(Trend(name: "backend RSS (MiB)", lifetimes: lifetimes.map { $0.map { ($0.second, $0.backendRSSMiB!) } },
                                floorPerMinute: Self.rssFloorPerMinute))
            trends.append(Trend(name: "backend fds", lifetimes: lifetimes.map { $0.map { ($0.second, Double($0.backendFDs ?? 0)) } },
                                floorPerMinute: Self.descriptorFloorPerMinute))
        }
        let database = samples.compactMap { sample in sample.databaseConnections.map { (sample.second, Double($0)) } }
        if !database.isEmpty { trends.append(Trend(name: "database connections", points: database, floorPerMinute: 4)) }
        return trends
    }

    /// Final assistant rows per trace id.
    static func finalRows(_ traces: [String], databaseURL: String) -> Result<[String: Int], any Error> {
        Result {
            let session = try PostgresSession(databaseURL, statementTimeout: .seconds(30))
            var counts: [String: Int] = [:]
            for chunk in stride(from: 0, to: traces.count, by: 500).map({ Array(traces[$0..<min($0 + 500, traces.count)]) }) {
                let rows = try session.query("""
                    SELECT trace_id, count(*) AS finals FROM chat_raw
                    WHERE trace_id = ANY(string_to_array($1, ',')) AND role = 'assistant' AND is_final GROUP BY trace_id
                    """, [chunk.joined(separator: ",")])
                for row in rows { if let trace = try row.string("trace_id") { counts[trace] = try row.int("finals") ?? 0 } }
            }
            return counts
        }
    }

    /// The sampled check of one success's rows, read again until they are there (a backend may write
    /// them after its reply) or `ANON_E2E_PERSIST_TIMEOUT` has passed.
    /// What is wrong with the rows of `traces`, once they had time to land; nil when the read was
    /// cancelled (the run ended first), which checked nothing.
    static func rowsProblem(_ traces: [String], databaseURL: String, persisted: PersistedRead) async -> [String]? {
        guard let read = try? await persisted.until({ await blocking { finalRows(traces, databaseURL: databaseURL) } }, holds: { counts in
            guard case let .success(rows) = counts else { return false }
            return traces.allSatisfy { rows[$0] == 1 }
        }) else { return nil }
        return read.held ? [] : ["the rows of \(traces.joined(separator: ", ")) were not exactly one final assistant row (\(read.description))"]
    }
}
