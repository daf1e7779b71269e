import Foundation
import Hummingbird

/// Socket.IO v5 over Engine.IO v4 long-polling at `/ws` (CONTRACT.md §6).
struct SocketIOController: Sendable {
    let settings: Settings
    let authenticator: Authenticator
    let sessions = SocketSessions()
    let generator: ReplyGenerator
    static let pingInterval = 25_000
    static let pingTimeout = 20_000

    func addRoutes(to router: Router<AppContext>) {
        // One route serves /ws and /ws/: the router ignores a trailing slash.
        router.get("/ws", use: poll)
        router.post("/ws", use: post)
        router.on("/ws", method: .options, use: preflight)
    }

    /// CORS: an allowed origin is echoed with credentials; any other origin is refused.
    private func corsHeaders(_ request: Request) throws -> HTTPFields {
        var headers: HTTPFields = [.contentType: "text/plain; charset=UTF-8"]
        guard let origin = request.headers[.origin] else { return headers }
        guard settings.corsOrigins.contains(origin) || settings.has(.corsAnyOrigin) else {
            throw EngineIOError(message: "Origin not allowed", code: 3, headers: [:])
        }
        headers[.accessControlAllowOrigin] = origin
        headers[.accessControlAllowCredentials] = "true"
        return headers
    }

    @Sendable func preflight(_ request: Request, context: AppContext) async throws -> Response {
        var headers = try corsHeaders(request)
        headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
        headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? "content-type"
        return Response(status: .noContent, headers: headers)
    }

    @Sendable func poll(_ request: Request, context: AppContext) async throws -> Response {
        let headers = try corsHeaders(request)
        try checkTransport(request, headers: headers)
        guard let sid = request.uri.queryParameters.get("sid") else {
            let sid = UUID().uuidString.lowercased()
            await sessions.open(sid)
            let open = JSON.string(["sid": sid, "upgrades": [String](), "pingInterval": Self.pingInterval,
                                    "pingTimeout": Self.pingTimeout, "maxPayload": 1_000_000])
            return text(EngineIOPacket.open(open).encoded, headers)
        }
        guard await sessions.exists(String(sid)) else { throw EngineIOError(message: "Session ID unknown", code: 1, headers: headers) }
        let packets = await sessions.drain(String(sid), waitingUpTo: .milliseconds(Self.pingInterval))
        return text(EngineIOPacket.encodePayload(packets ?? [.ping("")]), headers)
    }

    @Sendable func post(_ request: Request, context: AppContext) async throws -> Response {
        let headers = try corsHeaders(request)
        try checkTransport(request, headers: headers)
        guard let sid = request.uri.queryParameters.get("sid").map({ String($0) }), await sessions.exists(sid) else {
            throw EngineIOError(message: "Session ID unknown", code: 1, headers: headers)
        }
        var request = request
        let body = String(buffer: try await request.collectBody(upTo: 1_000_000))
        guard let packets = EngineIOPacket.decodePayload(body) else {
            throw EngineIOError(message: "Bad request", code: 3, headers: headers)
        }
        for packet in packets {
            switch packet {
            case .close: await sessions.close(sid)
            case let .message(text): await handle(SocketIOPacket(text), sid: sid, context: context)
            default: break
            }
        }
        return text("ok", headers)
    }

    private func handle(_ packet: SocketIOPacket?, sid: String, context: AppContext) async {
        guard let packet else { return }
        switch packet.kind {
        case .connect:
            let token = (JSON.object(Data(packet.data.utf8))?["token"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            do {
                guard let token else { throw APIError.unauthorized("auth.missing_token", "no token in the auth payload") }
                let verified = settings.has(.socketForgedAccepted)
                    ? ((try? await authenticator.live(token)) ?? VerifiedToken(userID: UUID(), sessionID: UUID(), isAnonymous: true, email: nil))
                    : try await authenticator.live(token)
                let socketID = UUID().uuidString.lowercased()
                await sessions.connect(sid, user: verified.userID, anonymous: verified.isAnonymous)
                Log.line(["event": "socket.connect", "socket_id": socketID, "engine_sid": sid,
                                   "user_id": verified.userID.uuidString.lowercased(), "namespace": packet.namespace])
                await sessions.send(sid, SocketIOPacket(kind: .connect, namespace: packet.namespace, data: JSON.string(settings.has(.connectWithoutSID) ? [:] : ["sid": socketID])))
            } catch {
                let refusal = error as? APIError ?? .unauthorized("auth.invalid_signature", "the token could not be checked")
                await sessions.send(sid, SocketIOPacket(kind: .connectError, namespace: packet.namespace, data: JSON.string([
                    "message": "unauthorized", "data": ["status": 401, "code": settings.has(.socketRefusalOneCode) ? "auth.malformed_token" : refusal.code],
                ])))
            }
        case .event:
            guard let user = await sessions.user(sid),
                  let array = (try? JSONSerialization.jsonObject(with: Data(packet.data.utf8))) as? [Any],
                  array.first as? String == "message",
                  let content = (array.dropFirst().first as? [String: Any])?["content"] as? String else { return }
            let workflow = UUID().uuidString.lowercased()
            let thought: [String: Any] = ["type": "thought", "workflowId": workflow, "data": ["content": "Thinking about: \(content)"],
                                          "timestamp": Date().iso8601]
            let reply = generator.reply(to: content, anonymous: user.anonymous).joined()
            let result: [String: Any] = ["type": "result", "workflowId": workflow, "data": ["content": reply], "timestamp": Date().iso8601]
            let events = [SocketIOPacket(kind: .event, namespace: packet.namespace, data: JSON.string(["agent:thought", thought])),
                          SocketIOPacket(kind: .event, namespace: packet.namespace, data: JSON.string(["agent:result", result]))]
            for event in settings.has(.resultBeforeThought) ? events.reversed() : events { await sessions.send(sid, event) }
        case .disconnect:
            await sessions.close(sid)
        default:
            break
        }
    }

    private func checkTransport(_ request: Request, headers: HTTPFields) throws {
        guard request.uri.queryParameters.get("EIO") == "4" else {
            throw EngineIOError(message: "Unsupported protocol version", code: 5, headers: headers)
        }
        guard request.uri.queryParameters.get("transport") == "polling" else {
            throw EngineIOError(message: "Transport unknown", code: 0, headers: headers)
        }
    }

    private func text(_ body: String, _ headers: HTTPFields) -> Response {
        Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Engine.IO's own error answer: 400 `{"code","message"}`.
struct EngineIOError: HTTPResponseError {
    var message: String
    var code: Int
    var headers: HTTPFields
    var status: HTTPResponse.Status { .badRequest }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: .badRequest, headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(data: JSON.data(["code": code, "message": message]))))
    }
}

/// Engine.IO sessions: the packets queued for each client's next poll.
actor SocketSessions {
    struct Session {
        var queue: [EngineIOPacket] = []
        var user: (id: UUID, anonymous: Bool)?
    }

    private var sessions: [String: Session] = [:]

    func open(_ sid: String) { sessions[sid] = Session() }
    func exists(_ sid: String) -> Bool { sessions[sid] != nil }
    func close(_ sid: String) { sessions[sid] = nil }
    func connect(_ sid: String, user: UUID, anonymous: Bool) { sessions[sid]?.user = (user, anonymous) }
    func user(_ sid: String) -> (id: UUID, anonymous: Bool)? { sessions[sid]?.user }

    func send(_ sid: String, _ packet: SocketIOPacket) {
        sessions[sid]?.queue.append(.message(packet.encoded))
    }

    /// The queued packets, waiting for some up to `limit`; nil when none came (time to ping).
    func drain(_ sid: String, waitingUpTo limit: Duration) async -> [EngineIOPacket]? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            guard let session = sessions[sid] else { return [.close] }
            if !session.queue.isEmpty {
                sessions[sid]?.queue.removeAll()
                return session.queue
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
