import Foundation
import Testing
import AnonE2ETesting
import Contract
import Protocols

/// Seed 003: Socket.IO at /ws authenticates with the JWT in the CONNECT auth payload.
/// Three minutes: a case's limit also runs while it waits for a user of the sign-in budget, and
/// against a slow model with the default budget of 8 that wait has passed one minute (ci/bench-gate).
@Suite(.requires(.realtime), .anonymousUsers, .timeLimit(.minutes(3)), .tags(.realtime))
struct StagingRealtimeTests {
    let backend = Staging.backend
    var allowedOrigin: String { Staging.configuration.text(.corsOrigins).split(separator: ",").first.map(String.init) ?? "" }

    func client(origin: String? = nil) -> SocketIOPollingClient {
        SocketIOPollingClient(endpoint: backend.apiBase + (Staging.configuration.text(.socketPath)), origin: origin, http: backend.http, template: backend.template)
    }

    func token() async throws -> String { try await Staging.suiteUser(messages: 2).accessToken }

    @Test("a valid token in the auth payload connects: 40 with a sid", .rules("S6.1"))
    func connects() async throws {
        let client = client()
        let sid = try #require(try await client.handshake().sid, "the handshake gave no session id")
        let outcome = try await client.connect(sid, auth: ["token": .string(try await token())])
        guard case let .connected(socket) = outcome else { Issue.record("expected 40{\"sid\":…}, got \(outcome)"); return }
        #expect(!socket.isEmpty)
        await client.close(sid)
    }

    @Test("no token, or a forged one, is refused: 44 with data.status 401 and the code of its cause (auth.missing_token, auth.invalid_signature)",
          .rules("S6.2"), arguments: ["none", "forged"])
    func refusesWithoutToken(_ variant: String) async throws {
        let client = client()
        let sid = try #require(try await client.handshake().sid)
        let auth: JSONValue = variant == "none" ? [:] : ["token": .string(String(try await token().dropLast(6)) + "AAAAAA")]
        let outcome = try await client.connect(sid, auth: auth)
        guard case let .refused(data) = outcome else { Issue.record("expected CONNECT_ERROR 44, got \(outcome)"); return }
        #expect(data["message"]?.string == "unauthorized", "CONNECT_ERROR message: \(data.text)")
        #expect(data["data"]?["status"]?.int == 401, "CONNECT_ERROR data: \(data.text)")
        // The code of the cause, as the team spells it (ERROR_CODE_MAP).
        let expected = Staging.configuration.code(variant == "none" ? .missingToken : .invalidSignature)
        #expect(data["data"]?["code"]?.string == expected, "CONNECT_ERROR data: \(data.text); expected the code \(expected)")
    }

    @Test("an allowed origin is answered with its Access-Control-Allow-Origin and credentials; another origin gets 400 and none", .rules("S6.3"))
    func cors() async throws {
        let allowed = try await client(origin: allowedOrigin).handshake().response
        #expect(allowed.status == 200)
        #expect(allowed.headers["Access-Control-Allow-Origin"] == allowedOrigin, "allow-origin: \(allowed.headers["Access-Control-Allow-Origin"] ?? "none")")
        #expect(allowed.headers["Access-Control-Allow-Credentials"] == "true")
        let other = try await client(origin: "https://evil.example").handshake().response
        #expect(other.status == 400, "a foreign origin was answered \(other.status)")
        #expect(other.headers["Access-Control-Allow-Origin"] == nil, "a foreign origin got allow-origin \(other.headers["Access-Control-Allow-Origin"] ?? "")")
    }

    @Test("a message is answered by agent:thought, then agent:result: type, workflowId, data.content, an ISO 8601 timestamp", .rules("S6.4", "S6.1"))
    func agentEvents() async throws {
        let client = client()
        let sid = try #require(try await client.handshake().sid)
        let outcome = try await client.connect(sid, auth: ["token": .string(try await token())])
        guard case .connected = outcome else { Issue.record("expected to connect, got \(outcome)"); return }
        try await client.emit(sid, "message", ["content": "hello"])
        // Other events may come in between (progress, tool calls): the rule is a thought, then a result.
        let received = try await client.events(sid, count: 16, within: .seconds(10), last: { $0.name == "agent:result" })
        await client.close(sid)
        let thought = received.firstIndex { $0.name == "agent:thought" }, result = received.firstIndex { $0.name == "agent:result" }
        #expect(thought != nil && result != nil && thought! < result!, "an agent:thought, then an agent:result; came: \(received.map(\.name))")
        let events = [thought, result].compactMap { $0.map { received[$0] } }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for event in events {
            let payload = event.payload
            #expect(payload["type"]?.string != nil && payload["workflowId"]?.string != nil, "\(event.name): \(payload.text)")
            #expect(payload["data"]?["content"]?.string?.isEmpty == false, "\(event.name): \(payload.text)")
            #expect(payload["timestamp"]?.string.flatMap { formatter.date(from: $0) ?? ISO8601DateFormatter().date(from: $0) } != nil,
                    "\(event.name) timestamp: \(payload["timestamp"]?.text ?? "missing")")
        }
        #expect(events.count < 2 || events[0].payload["workflowId"] == events[1].payload["workflowId"], "thought and result name different workflows")
    }
}

extension Tag {
    @Tag static var realtime: Self
}
