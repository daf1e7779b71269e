import Foundation
import Testing
import AnonE2ETesting
import Contract
import Protocols
import Transport

/// CONTRACT §8 and seed 000 §6 ("若已接限流与观测：检查仪表盘是否出现 user_type 维度曲线与告警"):
/// what the run did shows in the staging's own Prometheus. Each case reads a
/// counter, does something the backend must count, and waits a scrape or two
/// for the counter to rise by at least that much; a query that matches no
/// series fails, naming it, and never passes.
@Suite(.requires(.auth, .api, .observability), .anonymousUsers, .replies(1), .tags(.observability))
struct StagingObservabilityTests {
    let backend = Staging.backend
    var configuration: Configuration { Staging.configuration }

    /// A query over the backend's own series (`ANON_E2E_PROMETHEUS_SELECTOR`) with these matchers.
    func sum(_ metric: ConfigurationKey, _ matchers: [String]) -> String {
        let selector = configuration.text(.prometheusSelector).trimmingCharacters(in: .whitespaces)
        return "sum(\(configuration.text(metric))" + "{" + ([selector].filter { !$0.isEmpty } + matchers).joined(separator: ",") + "})"
    }

    /// Reads `query` until it has risen by `rise` from `before`, or ANON_E2E_PROMETHEUS_WAIT has passed.
    func risen(_ query: String, from before: Double?, by rise: Int) async throws -> (value: Double?, waited: Duration) {
        let prometheus = try #require(backend.prometheus)
        // The same bounded re-read as what a message persisted, at a scrape's pace.
        let read = try await PersistedRead(timeout: configuration.duration(.prometheusWait), interval: .seconds(1)).until({
            try await prometheus.value(query)
        }, holds: { value in value.map { $0 >= (before ?? 0) + Double(rise) } ?? false })
        return (read.value, read.waited)
    }

    func expectRisen(_ query: String, before: Double?, by rise: Int, _ what: String) async throws {
        let (value, waited) = try await risen(query, from: before, by: rise)
        let after = String(format: "%.0f ms", waited.inMilliseconds)
        guard let value else {
            Issue.record("\(what): no series matched \(query) within \(after) (is the label there? ANON_E2E_METRIC_*, ANON_E2E_PROMETHEUS_SELECTOR)")
            return
        }
        #expect(value >= (before ?? 0) + Double(rise),
                "\(what): \(query) went from \(before.map { String($0) } ?? "no series") to \(value) within \(after), not up by \(rise)")
    }

    @Test("the run's anonymous requests appear in the backend's requests with user_type=\"anonymous\"", .rules("S8.1"))
    func anonymousRequestsCounted() async throws {
        let prometheus = try #require(backend.prometheus)
        let query = sum(.requestsMetric, [#"user_type="anonymous""#])
        let before = try await prometheus.value(query)
        let token = try await Staging.user("observability: anonymous requests", messages: 1).accessToken
        // Three anonymous requests the backend answers: a message, and its conversation read twice.
        let answer = try await backend.messages.json("counted by user_type", token: token)
        try #require(answer.status == 200, "the message: \(answer.status) \(answer.text.prefix(200))")
        let conversation = JSONValue.parse(answer.body)?["conversation_id"]?.string
            ?? answer.headers["X-Conversation-Id"]
        let id = try #require(conversation, "the answer names no conversation: \(answer.text.prefix(200))")
        for _ in 0..<2 {
            let read = try await backend.http.send(backend.request(.get, backend.url(.conversationPath, id: id), token: token,
                                                                   traceID: StagingBackend.newTraceID()))
            try #require(read.status == 200, "the conversation GET: \(read.status)")
        }
        try await expectRisen(query, before: before, by: 3, "three anonymous requests")
    }

    @Test("the 429s the run provoked appear in the backend's refusals by their code", .rules("S8.1"))
    func refusalsCountedByCode() async throws {
        let prometheus = try #require(backend.prometheus)
        let limit = configuration.int(.anonymousQPS)
        let token = try await Staging.user("observability: refusals", messages: limit).accessToken
        let code = configuration.code(.rateLimitQPS)
        let query = sum(.refusalsMetric, ["code=\"\(code)\""])
        let before = try await prometheus.value(query)
        // Twice the request rate at once: the limit is admitted, the rest refused (not charged, S4.8).
        let backend = self.backend
        let answers = try await withThrowingTaskGroup(of: HTTPResponse.self) { group in
            for _ in 0..<(limit * 2) {
                group.addTask { try await backend.http.send(backend.messages.request("burst", token: token)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let refused = answers.filter { $0.status == 429 && JSONValue.parse($0.body)?["code"]?.string == code }.count
        try #require(refused > 0, "a burst of \(limit * 2) got no 429 \(code): \(answers.map(\.status))")
        try await expectRisen(query, before: before, by: refused, "\(refused) × 429 \(code)")
    }

    @Test("the alert rules the team declares are loaded in its Prometheus", .rules("S8.1"))
    func alertRulesLoaded() async throws {
        let declared = configuration.text(.alertRules).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if declared.isEmpty { try Staging.skip("not exercised: ANON_E2E_ALERT_RULES names no alert rule") }
        let prometheus = try #require(backend.prometheus)
        let loaded = try await prometheus.alertNames()
        let missing = declared.filter { !loaded.contains($0) }
        #expect(missing.isEmpty, "not loaded: \(missing.joined(separator: ", ")); loaded: \(loaded.sorted().joined(separator: ", "))")
    }
}
