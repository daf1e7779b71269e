import Foundation
import Synchronization
import Transport

/// Resource use over a run, sampled every few seconds: the runner's and the
/// backend's resident memory and open descriptors (from /proc), and the
/// database's connections (`pg_stat_activity`). A trend that keeps growing
/// is a leak the run's gate fails on.
public final class ResourceSampler: Sendable {
    public struct Sample: Sendable, Codable {
        public var second: Double
        public var runnerRSSMiB: Double
        public var runnerFDs: Int
        public var backendRSSMiB: Double?
        public var backendFDs: Int?
        public var databaseConnections: Int?
    }

    let samples = Mutex<[Sample]>([])
    let backendPID: @Sendable () -> Int32?
    let databaseURL: String?
    let started: ContinuousClock.Instant

    /// - Parameter backendPID: read at every sample (a restarted backend has a new pid).
    public init(backendPID: @escaping @Sendable () -> Int32?, databaseURL: String?, started: ContinuousClock.Instant = .now) {
        self.backendPID = backendPID
        self.databaseURL = databaseURL
        self.started = started
    }

    public var all: [Sample] { samples.withLock { $0 } }

    public func sample() {
        let own = Self.process(getpid())
        let backend = backendPID().flatMap(Self.process)
        var connections: Int?
        if let databaseURL, let session = try? PostgresSession(databaseURL, statementTimeout: .seconds(2), connectTimeout: .seconds(2)) {
            connections = (try? session.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()").first?.int("n")) ?? nil
        }
        let sample = Sample(second: (ContinuousClock.now - started).inMilliseconds / 1000, runnerRSSMiB: own?.rss ?? 0, runnerFDs: own?.fds ?? 0,
                            backendRSSMiB: backend?.rss, backendFDs: backend?.fds, databaseConnections: connections)
        samples.withLock { $0.append(sample) }
    }

    /// Resident MiB and open descriptors of a process, from /proc.
    static func process(_ pid: Int32) -> (rss: Double, fds: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
        return (kib / 1024, fds)
    }
}

/// The least-squares slope of a series over its last two thirds, and
/// whether it grows without bound: more than `tolerance` of its mean over
/// the window, and more than an absolute floor (noise on small numbers).
public struct Trend: Sendable, Codable, Equatable {
    public var name: String
    /// Units per minute.
    public var slopePerMinute: Double
    public var mean: Double
    public var growsWithoutBound: Bool

    public init(name: String, points: [(x: Double, y: Double)], tolerance: Double = 0.25, floor: Double) {
        self.name = name
        let tail = Array(points.dropFirst(points.count / 3))
        let n = Double(tail.count)
        guard tail.count >= 3 else {
            slopePerMinute = 0; mean = tail.map(\.y).reduce(0, +) / max(n, 1); growsWithoutBound = false
            return
        }
        let meanX = tail.map(\.x).reduce(0, +) / n, meanY = tail.map(\.y).reduce(0, +) / n
        let covariance = tail.map { ($0.x - meanX) * ($0.y - meanY) }.reduce(0, +)
        let variance = tail.map { ($0.x - meanX) * ($0.x - meanX) }.reduce(0, +)
        let slope = variance == 0 ? 0 : covariance / variance
        let span = (tail.last!.x - tail.first!.x)
        slopePerMinute = slope * 60
        mean = meanY
        let growth = slope * span
        growsWithoutBound = growth > max(floor, tolerance * abs(meanY))
    }
}
