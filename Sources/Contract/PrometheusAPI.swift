import Foundation
import Protocols
import Transport

/// The staging's own Prometheus (`ANON_E2E_PROMETHEUS_URL`), asked through its
/// HTTP API what the backend exported: an instant query's value, the loaded rules.
public struct PrometheusAPI: Sendable {
    public let baseURL: String
    let http: HTTPClient
    let template: RequestTemplate

    public init(baseURL: String, http: HTTPClient, template: RequestTemplate) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.http = http
        self.template = template
    }

    /// Why an answer could not be read: names the query and what came.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The value of a query whose answer is one number (a `sum(...)`); nil when it matched no series.
    public func value(_ query: String) async throws -> Double? {
        var components = URLComponents(string: baseURL + "/api/v1/query")
        components?.queryItems = [URLQueryItem(name: "query", value: query)]
        let data = try await answer(components?.url?.absoluteString ?? baseURL, what: query)
        guard let result = data["result"]?.array else { throw Failure(description: "\(query): no result in \(data.text.prefix(200))") }
        guard let sample = result.first?["value"]?.array, sample.count == 2, let text = sample[1].string else { return nil }
        guard let value = Double(text) else { throw Failure(description: "\(query): the value '\(text)' is not a number") }
        return value
    }

    /// The names of the alerting rules Prometheus has loaded (`/api/v1/rules`).
    public func alertNames() async throws -> Set<String> {
        let data = try await answer(baseURL + "/api/v1/rules?type=alert", what: "the rules")
        let rules = (data["groups"]?.array ?? []).flatMap { $0["rules"]?.array ?? [] }
        return Set(rules.compactMap { $0["type"]?.string == "alerting" ? $0["name"]?.string : nil })
    }

    /// The `data` of a `status: success` answer.
    private func answer(_ url: String, what: String) async throws -> JSONValue {
        let response = try await http.send(template.request(.get, url, headers: ["Accept": "application/json"]))
        guard response.status == 200, let body = JSONValue.parse(response.body), body["status"]?.string == "success", let data = body["data"] else {
            throw Failure(description: "Prometheus at \(baseURL) did not answer \(what): \(response.status) \(response.text.prefix(200))")
        }
        return data
    }
}
