import Foundation
import Transport

/// Pushes a run's metrics to a Prometheus Pushgateway
/// (`ANON_E2E_PUSHGATEWAY_URL`): one group per job and grouping labels (the
/// run's kind, target and scope), replaced by each run, so the gateway holds
/// the latest run of each.
public struct Pushgateway: Sendable {
    public let baseURL: String
    public let http: HTTPClient

    public init(baseURL: String, http: HTTPClient = HTTPClient()) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.http = http
    }

    public struct PushError: Error, CustomStringConvertible {
        public let description: String
    }

    /// - Parameter grouping: the group's labels after the job (kind, target, …), in order.
    public func push(_ metrics: RunMetrics, job: String = "anon_e2e", grouping: [(String, String)]) async throws {
        let labels = grouping.map { "/\(Self.segment($0.0))/\(Self.segment($0.1.isEmpty ? "none" : $0.1))" }.joined()
        let url = "\(baseURL)/metrics/job/\(Self.segment(job))\(labels)"
        // The team's Pushgateway, not the target: plain TLS options, short deadlines.
        let template = RequestTemplate(deadlines: Deadlines(connect: .seconds(5), total: .seconds(20)))
        let response = try await http.send(template.request(.put, url, headers: ["Content-Type": "text/plain; version=0.0.4"],
                                                            body: Array(metrics.text.utf8)))
        guard (200..<300).contains(response.status) else {
            throw PushError(description: "the Pushgateway at \(baseURL) answered \(response.status): \(response.text.prefix(300))")
        }
    }

    /// A path segment: the gateway's grouping labels may not hold `/`.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.:"))) ?? "none"
    }
}
