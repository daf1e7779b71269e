/// Engine.IO v4 packets and the Socket.IO v5 packets inside its messages,
/// as the long-polling transport carries them (text only).
enum EngineIOPacket: Equatable, Sendable {
    case open(String)
    case close
    case ping(String)
    case pong(String)
    case message(String)
    case upgrade
    case noop

    static let separator: Character = "\u{1E}"

    init?(_ text: Substring) {
        guard let type = text.first else { return nil }
        let data = String(text.dropFirst())
        switch type {
        case "0": self = .open(data)
        case "1": self = .close
        case "2": self = .ping(data)
        case "3": self = .pong(data)
        case "4": self = .message(data)
        case "5": self = .upgrade
        case "6": self = .noop
        default: return nil
        }
    }

    var encoded: String {
        switch self {
        case let .open(data): "0\(data)"
        case .close: "1"
        case let .ping(data): "2\(data)"
        case let .pong(data): "3\(data)"
        case let .message(data): "4\(data)"
        case .upgrade: "5"
        case .noop: "6"
        }
    }

    /// A polling payload: packets separated by the record separator (0x1E).
    static func decodePayload(_ payload: String) -> [EngineIOPacket]? {
        var packets: [EngineIOPacket] = []
        for part in payload.split(separator: separator, omittingEmptySubsequences: false) {
            guard let packet = EngineIOPacket(part) else { return nil }
            packets.append(packet)
        }
        return packets
    }

    static func encodePayload(_ packets: [EngineIOPacket]) -> String {
        packets.map(\.encoded).joined(separator: String(separator))
    }
}

/// A Socket.IO packet in an Engine.IO message: type, namespace, optional ack id, JSON data.
struct SocketIOPacket: Equatable, Sendable {
    enum Kind: Character, Sendable {
        case connect = "0", disconnect = "1", event = "2", ack = "3", connectError = "4"
    }

    var kind: Kind
    var namespace: String = "/"
    var ackID: Int?
    var data: String = ""

    init(kind: Kind, namespace: String = "/", ackID: Int? = nil, data: String = "") {
        self.kind = kind
        self.namespace = namespace
        self.ackID = ackID
        self.data = data
    }

    init?(_ text: String) {
        guard let first = text.first, let kind = Kind(rawValue: first) else { return nil }
        self.kind = kind
        var rest = text.dropFirst()
        if rest.first == "/", let comma = rest.firstIndex(of: ",") {
            namespace = String(rest[..<comma])
            rest = rest[rest.index(after: comma)...]
        } else if rest.first == "/" {
            namespace = String(rest)
            rest = ""
        }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty {
            ackID = Int(digits)
            rest = rest.dropFirst(digits.count)
        }
        data = String(rest)
    }

    var encoded: String {
        var text = String(kind.rawValue)
        if namespace != "/" { text += namespace + "," }
        if let ackID { text += String(ackID) }
        return text + data
    }
}
