import Foundation
import Histogram
import Synchronization
import Transport

/// The phases of successful closures in HdrHistograms (microseconds, three
/// significant digits), the outcomes by kind, and a per-second series for
/// the plots. Safe to share between the closures in flight.
public final class LatencyRecorder: Sendable {
    public static let phases = ["first_byte_ms", "first_delta_ms", "ttft_ms", "chunk_gap_max_ms", "final_ms"]

    struct State {
        var histograms: [String: Histogram<UInt64>] = [:]
        var outcomes: [String: Int] = [:]
        var total = 0
        var successes = 0
        /// Second since the start → (successes, failures, sum of final ms).
        var series: [Int: (ok: Int, failed: Int, finalSum: Double)] = [:]
        var examples: [String: String] = [:]
    }

    let state = Mutex(State())
    public let started: ContinuousClock.Instant

    public init(started: ContinuousClock.Instant = .now) {
        self.started = started
    }

    public func record(_ outcome: ClosureOutcome, phases: [String: Double], at instant: ContinuousClock.Instant = .now, detail: String? = nil) {
        let second = Int((instant - started).inMilliseconds / 1000)
        state.withLock { state in
            state.total += 1
            state.outcomes[outcome.kind, default: 0] += 1
            if let detail, state.examples[outcome.kind] == nil { state.examples[outcome.kind] = String(detail.prefix(300)) }
            var point = state.series[second] ?? (0, 0, 0)
            if outcome == .success {
                state.successes += 1
                point.ok += 1
                point.finalSum += phases["final_ms"] ?? 0
                for (name, value) in phases where Self.phases.contains(name) {
                    var histogram = state.histograms[name] ?? Histogram<UInt64>(numberOfSignificantValueDigits: .three)
                    _ = histogram.record(UInt64(max(0, value * 1000)))
                    state.histograms[name] = histogram
                }
            } else {
                point.failed += 1
            }
            state.series[second] = point
        }
    }

    public struct Summary: Sendable, Codable {
        public var total: Int
        public var successes: Int
        public var successRate: Double
        public var outcomes: [String: Int]
        public var examples: [String: String]
        /// phase → [p50, p95, p99] in ms.
        public var percentiles: [String: [Double]]
    }

    public var summary: Summary {
        state.withLock { state in
            var percentiles: [String: [Double]] = [:]
            for (name, histogram) in state.histograms {
                percentiles[name] = [50.0, 95.0, 99.0].map { Double(histogram.valueAtPercentile($0)) / 1000 }
            }
            return Summary(total: state.total, successes: state.successes,
                           successRate: state.total == 0 ? 0 : Double(state.successes) / Double(state.total),
                           outcomes: state.outcomes, examples: state.examples, percentiles: percentiles)
        }
    }

    /// Per second: successes, failures, mean time to `final` of the successes.
    public var points: [LoadRun.SeriesPoint] {
        state.withLock { state in
            state.series.keys.sorted().map { key in
                let point = state.series[key]!
                return LoadRun.SeriesPoint(second: key, ok: point.ok, failed: point.failed, meanFinal: point.ok == 0 ? 0 : point.finalSum / Double(point.ok))
            }
        }
    }
}
