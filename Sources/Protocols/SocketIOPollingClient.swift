import Foundation
import Transport

/// A Socket.IO v5 client over Engine.IO v4 long-polling: enough to connect
/// with an auth payload, emit an event and read what comes back.
public struct SocketIOPollingClient: Sendable {
    public let endpoint: String
    public let http: HTTPClient
    /// The target's TLS and encodings; a long poll keeps its own deadlines.
    public let template: RequestTemplate
    public let origin: String?

    /// - Parameter endpoint: the Engine.IO path, e.g. `http://host/ws/`.
    public init(endpoint: String, origin: String? = nil, http: HTTPClient = HTTPClient(), template: RequestTemplate) {
        self.endpoint = endpoint.hasSuffix("/") ? endpoint : endpoint + "/"
        self.origin = origin
        self.http = http
        self.template = template
    }

    public enum ClientError: Error, Sendable, CustomStringConvertible {
        case handshake(status: Int, body: String)
        case unexpected(String)

        public var description: String {
            switch self {
            case let .handshake(status, body): "the Engine.IO handshake answered \(status): \(body.prefix(300))"
            case let .unexpected(what): what
            }
        }
    }

    /// What the server answered to CONNECT.
    public enum ConnectOutcome: Sendable, Equatable {
        case connected(sid: String)
        case refused(JSONValue)
        case other(String)
    }

    /// One Socket.IO event: its name and its first argument.
    public struct Event: Sendable {
        public let name: String
        public let payload: JSONValue
        public let arrival: ContinuousClock.Instant
    }

    func url(_ sid: String?) -> String {
        endpoint + "?EIO=4&transport=polling" + (sid.map { "&sid=\($0)" } ?? "") + "&t=\(UInt32.random(in: 0...UInt32.max))"
    }

    func request(_ method: HTTPRequest.Method, sid: String?, body: String? = nil) -> HTTPRequest {
        var headers: HTTPHeaders = [:]
        if let origin { headers.add("Origin", origin) }
        if body != nil { headers.add("Content-Type", "text/plain;charset=UTF-8") }
        return template.request(method, url(sid), headers: headers, body: body.map { Array($0.utf8) },
                                deadlines: Deadlines(connect: .seconds(10), total: .seconds(40), idle: .seconds(40)))
    }

    /// The opening GET: the raw answer (for CORS checks) and the session id.
    public func handshake() async throws -> (response: HTTPResponse, sid: String?) {
        let response = try await http.send(request(.get, sid: nil))
        guard response.status == 200 else { return (response, nil) }
        let text = response.text
        guard text.first == "0", let open = JSONValue.parse(String(text.dropFirst())), let sid = open["sid"]?.string else {
            throw ClientError.unexpected("the handshake was not an Engine.IO open packet: \(text.prefix(300))")
        }
        return (response, sid)
    }

    public func post(_ sid: String, _ packets: [String]) async throws {
        let response = try await http.send(request(.post, sid: sid, body: packets.joined(separator: "\u{1E}")))
        guard response.status == 200 else { throw ClientError.unexpected("POST answered \(response.status): \(response.text.prefix(300))") }
    }

    /// One long-poll: the packets it delivered.
    public func poll(_ sid: String) async throws -> [String] {
        let response = try await http.send(request(.get, sid: sid))
        guard response.status == 200 else { throw ClientError.unexpected("poll answered \(response.status): \(response.text.prefix(300))") }
        return response.text.split(separator: "\u{1E}").map(String.init)
    }

    /// CONNECT to the default namespace with an auth payload.
    public func connect(_ sid: String, auth: JSONValue) async throws -> ConnectOutcome {
        try await post(sid, ["40" + auth.text])
        for _ in 0..<5 {
            for packet in try await poll(sid) {
                if packet.hasPrefix("40") { return JSONValue.parse(String(packet.dropFirst(2)))?["sid"]?.string.map { .connected(sid: $0) } ?? .other(packet) }
                if packet.hasPrefix("44") { return .refused(JSONValue.parse(String(packet.dropFirst(2))) ?? .null) }
                if packet == "2" { try await post(sid, ["3"]) }
            }
        }
        return .other("no answer to CONNECT in five polls")
    }

    public func emit(_ sid: String, _ event: String, _ payload: JSONValue) async throws {
        try await post(sid, ["42" + JSONValue.array([.string(event), payload]).text])
    }

    /// Polls until `count` events came or the deadline passed.
    /// Events as they come: `count` of them, or fewer when one matches `last`, or what came within `limit`.
    public func events(_ sid: String, count: Int, within limit: Duration, last: (@Sendable (Event) -> Bool)? = nil) async throws -> [Event] {
        var events: [Event] = []
        let deadline = ContinuousClock.now + limit
        while events.count < count, ContinuousClock.now < deadline, !(events.last.map { last?($0) ?? false } ?? false) {
            for packet in try await poll(sid) {
                if packet == "2" { try await post(sid, ["3"]); continue }
                guard packet.hasPrefix("42"), let array = JSONValue.parse(String(packet.dropFirst(2)))?.array,
                      let name = array.first?.string else { continue }
                events.append(Event(name: name, payload: array.count > 1 ? array[1] : .null, arrival: .now))
            }
        }
        return events
    }

    public func close(_ sid: String) async {
        try? await post(sid, ["1"])
    }
}
