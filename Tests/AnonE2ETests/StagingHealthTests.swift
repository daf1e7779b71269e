import Foundation
import Testing
import AnonE2ETesting
import Contract
import Transport

@Suite(.requires(.api), .timeLimit(.minutes(1)))
struct StagingHealthTests {
    let configuration = Staging.configuration
    let backend = Staging.backend

    @Test("GET /api/v1/healthz answers 200 {\"status\":\"ok\"} without a token", .rules("S7.1"))
    func health() async throws {
        let url = try configuration.required(.apiBase) + configuration.text(.healthPath)
        let response = try await backend.http.send(backend.template.request(.get, url))
        #expect(response.status == 200, "expected 200 from \(url), got \(response.status): \(response.text)")
        let body = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect(body?["status"] as? String == "ok", "expected {\"status\":\"ok\"}, got \(response.text)")
    }
}
