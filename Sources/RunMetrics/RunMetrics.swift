import Foundation
import Prometheus
import RunHistory
import Transport

/// A run's metrics in the Prometheus text format (`metrics.prom`), through
/// swift-prometheus: the run's success, each case's, the latency histograms
/// of the streams' phases, the most streams in flight, refusals by code and
/// the run's duration. Labels hold case ids, phases and codes only.
public struct RunMetrics: Sendable {
    public static let phases = [("first_byte", "first_byte_ms"), ("first_delta", "first_delta_ms"), ("ttft", "ttft_ms"), ("final", "final_ms")]
    /// Each stream's gaps between the chunks that carried text: its median, 95th percentile and longest.
    public static let chunkGaps = [("p50", "chunk_gap_p50_ms"), ("p95", "chunk_gap_p95_ms"), ("max", "chunk_gap_max_ms")]
    static let gapBuckets: [Duration] = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000].map { .milliseconds($0) }
    public static let buckets: [Duration] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120].map { .milliseconds(Int64($0 * 1000)) }

    public let text: String

    /// - Parameter failedBefore: the full runs of this kind and target that failed in a row before this one (the history's).
    public init(_ recorded: RecordedRun, failedBefore: Int = 0) {
        let registry = PrometheusCollectorRegistry()
        let job = [("kind", recorded.run.kind.rawValue), ("target", recorded.run.targetKind)]
        registry.makeGauge(descriptor: Self.name("e2e_anon_success", "1 when the run was green, 0 when it failed"), labels: job)
            .set(to: recorded.run.green ? 1.0 : 0.0)
        // A filtered run is not a full run: it neither extends a streak nor ends one.
        let streak = recorded.run.filter.isEmpty ? (recorded.run.green ? 0 : failedBefore + 1) : failedBefore
        registry.makeGauge(descriptor: Self.name("e2e_anon_consecutive_failures", "Full runs of this kind and target that failed in a row, this one included"),
                           labels: job).set(to: Double(streak))
        registry.makeGauge(descriptor: Self.name("e2e_anon_run_duration_seconds", "How long the run took"), labels: job)
            .set(to: recorded.run.seconds)
        for verdict in ["passed", "failed", "skipped"] {
            registry.makeGauge(descriptor: Self.name("e2e_anon_cases", "Cases of the run by verdict"), labels: job + [("verdict", verdict)])
                .set(to: Double(recorded.cases.filter { $0.verdict == verdict }.count))
        }
        for item in recorded.cases where item.verdict != "skipped" {
            registry.makeGauge(descriptor: Self.name("e2e_anon_case_success", "1 when the case passed, 0 when it failed (skipped cases are absent)"),
                               labels: job + [("case", item.caseID)])
                .set(to: item.verdict == "passed" ? 1.0 : 0.0)
        }
        /// One histogram of the run's measurements of that name, in seconds.
        func histogram(_ name: String, _ help: String, labels: [(String, String)], buckets: [Duration], of measurement: String) {
            let histogram = registry.makeDurationHistogram(descriptor: Self.name(name, help), labels: job + labels, buckets: buckets)
            for value in recorded.measurements where value.name == measurement { histogram.record(.nanoseconds(Int64(value.value * 1_000_000))) }
        }
        for (phase, measurement) in Self.phases {
            histogram("e2e_anon_latency_seconds", "Time from the request to a phase of the answer", labels: [("phase", phase)],
                      buckets: Self.buckets, of: measurement)
        }
        for (stat, measurement) in Self.chunkGaps {
            histogram("e2e_anon_chunk_gap_seconds", "Per stream, a statistic of the gaps between the chunks that carried text", labels: [("stat", stat)],
                      buckets: Self.gapBuckets, of: measurement)
        }
        histogram("e2e_anon_sign_in_seconds", "Anonymous sign-in latency", labels: [], buckets: Self.buckets, of: "sign_in_ms")
        let inFlight = recorded.measurements.filter { $0.name == "streams_in_flight" }.map(\.value).max() ?? 0
        registry.makeGauge(descriptor: Self.name("e2e_anon_sse_connections_max", "The most SSE streams the run held open at once"), labels: job)
            .set(to: inFlight)
        let refusals = Dictionary(grouping: recorded.refusals) { "\($0.status) \($0.code)" }
        for key in refusals.keys.sorted() {
            let sample = refusals[key]![0]
            registry.makeCounter(descriptor: Self.name("e2e_anon_refusals_total", "Refusals the run provoked, by status and code"),
                                 labels: job + [("status", String(sample.status)), ("code", sample.code.isEmpty ? "none" : sample.code)])
                .increment(by: Int64(refusals[key]!.count))
        }
        text = registry.emitToString()
    }

    static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
