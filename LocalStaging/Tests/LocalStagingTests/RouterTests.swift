import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import LocalStagingCore

/// The database of a running local stack (ci/test sets it after `ci/local-stack up`).
private let databaseURL = ProcessInfo.processInfo.environment["LOCAL_STAGING_TEST_DATABASE_URL"]

@Suite("Router (HummingbirdTesting) on the local stack's database",
       .enabled(if: databaseURL != nil, "set LOCAL_STAGING_TEST_DATABASE_URL (ci/test does, from ci/local-stack)"),
       .timeLimit(.minutes(1)))
struct RouterTests {
    func withApp(_ body: @escaping @Sendable (any TestClientProtocol, Settings) async throws -> Void) async throws {
        let settings = try Settings(environment: ["DATABASE_URL": databaseURL ?? "", "ANON_KEY": "test-anon-key", "PUBLIC_URL": "http://local"])
        let store = try Store(databaseURL: settings.databaseURL)
        let keys = try SigningKeys.load(file: nil, legacySecret: nil)
        let app = Application(router: LocalStaging.router(settings: settings, store: store, keys: keys))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.client.run() }
            try await app.test(.router) { client in try await body(client, settings) }
            group.cancelAll()
        }
    }

    func json(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any] ?? [:]
    }

    @Test("no token: 401, the K1 body with the sent trace id, WWW-Authenticate")
    func missingToken() async throws {
        try await withApp { client, _ in
            try await client.execute(uri: "/api/v1/messages", method: .post, headers: [.traceID: "trace-401"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == #"Bearer error="invalid_token""#)
                #expect(response.headers[.traceID] == "trace-401")
                let body = self.json(response.body)
                #expect(body["status"] as? Int == 401)
                #expect(body["code"] as? String == "auth.missing_token")
                #expect(body["trace_id"] as? String == "trace-401")
                #expect(Set(body.keys) == ["status", "code", "message", "trace_id", "hint"])
            }
        }
    }

    @Test("an unknown route is a K1 404 with a generated trace id")
    func notFound() async throws {
        try await withApp { client, _ in
            try await client.execute(uri: "/api/v1/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
                let body = self.json(response.body)
                #expect(body["code"] as? String == "not_found")
                #expect(body["trace_id"] as? String == response.headers[.traceID])
            }
        }
    }

    @Test("an anonymous user signs up, gets a JSON reply, and is refused sharing with an upgrade hint")
    func anonymousJourney() async throws {
        try await withApp { client, settings in
            let session = try await client.execute(uri: "/auth/v1/signup", method: .post, headers: [.apikey: settings.anonKey],
                                                   body: ByteBuffer(string: "{}")) { self.json($0.body) }
            let token = try #require(session["access_token"] as? String)
            let auth: HTTPFields = [.authorization: "Bearer \(token)", .accept: "application/json", .contentType: "application/json"]
            let reply = try await client.execute(uri: "/api/v1/messages", method: .post, headers: auth,
                                                 body: ByteBuffer(string: #"{"messages":[{"role":"user","content":"hello"}]}"#)) { response in
                #expect(response.status == .ok)
                return self.json(response.body)
            }
            #expect((reply["content"] as? String)?.contains("hello") == true)
            let conversation = try #require(reply["conversation_id"] as? String)
            try await client.execute(uri: "/api/v1/conversations/\(conversation)/share", method: .post, headers: auth) { response in
                #expect(response.status == .forbidden)
                let body = self.json(response.body)
                #expect(body["code"] as? String == "policy.anonymous_forbidden")
                #expect((body["hint"] as? String)?.lowercased().contains("sign up") == true)
            }
        }
    }
}
