import Prometheus

/// What a backend exports on `GET /metrics`, in Prometheus' text format through
/// swift-prometheus: its API requests by route, status and `user_type`, its K1
/// refusals by code, its open streams, and its JWKS refresh errors (none: it
/// verifies with its own keys). A team's staging names these its own way; the
/// suite's `StagingObservability` asks a Prometheus that scrapes them.
public final class BackendMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let faults: Set<Fault>

    public init(faults: Set<Fault> = []) {
        self.faults = faults
        _ = registry.makeCounter(descriptor: Self.name("auth_jwks_refresh_err_total", "JWKS refreshes that failed (LocalStaging never refreshes)"))
    }

    /// One answered API request; `userType` is nil before the caller was identified.
    func request(route: String, status: Int, userType: String?) {
        var labels = [("route", route), ("status", String(status))]
        if !faults.contains(.metricsWithoutUserType) { labels.append(("user_type", userType ?? "none")) }
        registry.makeCounter(descriptor: Self.name("http_requests_total", "API requests by route, status and user_type"), labels: labels).increment()
    }

    /// One K1 refusal, by its code.
    func refusal(status: Int, code: String) {
        if status == 429, faults.contains(.metricsMiss429) { return }
        registry.makeCounter(descriptor: Self.name("api_errors_total", "K1 refusals by code"), labels: [("code", code)]).increment()
    }

    /// A message stream opened (+1) or closed (-1).
    func streams(_ change: Double, userType: String) {
        registry.makeGauge(descriptor: Self.name("sse_conns_inflight", "Message streams open now"), labels: [("user_type", userType)])
            .increment(by: change)
    }

    /// The text `GET /metrics` answers.
    func exposition() -> [UInt8] { registry.emitToBuffer() }

    static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
