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
        /// The backend process sampled (a restart changes it).
        public var backendPID: Int32?
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
        let pid = backendPID()
        let backend = pid.flatMap(Self.process)
        var connections: Int?
        if let databaseURL, let session = try? PostgresSession(databaseURL, statementTimeout: .seconds(2), connectTimeout: .seconds(2)) {
            connections = (try? session.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()").first?.int("n")) ?? nil
        }
        let sample = Sample(second: (ContinuousClock.now - started).inMilliseconds / 1000, runnerRSSMiB: own?.rss ?? 0, runnerFDs: own?.fds ?? 0,
                            backendRSSMiB: backend?.rss, backendFDs: backend?.fds, databaseConnections: connections,
                            backendPID: backend == nil ? nil : pid)
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

/// The least-squares slope of a series, fitted per process lifetime (a
/// restarted backend starts again from its warm-up) over each lifetime's last
/// third (a Swift server's allocator still settles for a minute after start),
/// and whether it grows without bound: its steepest lifetime climbs faster
/// than a floor per minute. A floor per minute, not over the window: a short
/// CI soak must see the leak a long one would. A lifetime whose last third
/// spans less than 20 s is not fitted, and a series with none says so.
public struct Trend: Sendable, Codable, Equatable {
    public var name: String
    /// Units per minute: the steepest lifetime's.
    public var slopePerMinute: Double
    public var mean: Double
    public var floorPerMinute: Double
    public var growsWithoutBound: Bool
    /// False when no lifetime was long enough to fit: the series was not judged.
    public var fitted: Bool

    public init(name: String, points: [(x: Double, y: Double)], floorPerMinute: Double) {
        self.init(name: name, lifetimes: [points], floorPerMinute: floorPerMinute)
    }

    /// - Parameter lifetimes: the series of each process lifetime; one shorter than 20 s after its warm-up is not fitted.
    public init(name: String, lifetimes: [[(x: Double, y: Double)]], floorPerMinute: Double) {
        self.name = name
        self.floorPerMinute = floorPerMinute
        let tails = lifetimes.map { Array($0.dropFirst($0.count * 2 / 3)) }.filter { $0.count >= 3 && $0.last!.x - $0.first!.x >= 20 }
        fitted = !tails.isEmpty
        let values = tails.flatMap { $0.map(\.y) }
        mean = values.reduce(0, +) / Double(max(values.count, 1))
        slopePerMinute = tails.map { tail in
            let n = Double(tail.count)
            let meanX = tail.map(\.x).reduce(0, +) / n, meanY = tail.map(\.y).reduce(0, +) / n
            let covariance = tail.map { ($0.x - meanX) * ($0.y - meanY) }.reduce(0, +)
            let variance = tail.map { ($0.x - meanX) * ($0.x - meanX) }.reduce(0, +)
            return variance == 0 ? 0 : covariance / variance * 60
        }.max() ?? 0
        growsWithoutBound = slopePerMinute > floorPerMinute
    }
}
