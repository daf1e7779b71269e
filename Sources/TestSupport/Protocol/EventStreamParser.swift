/// An incremental event-stream parser, byte-exact to WHATWG HTML §9.2.6
/// "Interpreting an event stream". Feed it bytes in chunks of any size; it
/// answers the items each chunk completed.
///
/// - One leading UTF-8 BOM is dropped, even when split across chunks.
/// - Lines end at CR, LF or CRLF; a CR ending one chunk and an LF starting the
///   next are one line end.
/// - Lines are decoded as UTF-8 with U+FFFD for invalid sequences.
/// - An event still open at the end of the stream is discarded (`finish`).
/// - A line longer than `maxLineBytes` throws, so a server that never sends a
///   line end cannot grow memory without bound.
public struct EventStreamParser: Sendable {
    public struct LineTooLong: Error, CustomStringConvertible {
        public let limit: Int
        public var description: String { "an event-stream line grew past \(limit) bytes without a line end" }
    }

    public let maxLineBytes: Int
    private var line: [UInt8] = []
    private var bomState: BOMState = .checking(matched: 0)
    private var lastByteWasCR = false

    private var dataBuffer = ""
    private var hasData = false
    private var eventType = ""
    private var blockId: String?
    private var lastEventId = ""

    private enum BOMState: Sendable {
        case checking(matched: Int)
        case done
    }

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    public init(maxLineBytes: Int = 8 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// The last event ID as it stands now (what a reconnect would send).
    public var currentLastEventId: String { lastEventId }

    public mutating func feed(_ bytes: some Sequence<UInt8>, arrival: ContinuousClock.Instant = .now) throws -> [EventStreamItem] {
        var items: [EventStreamItem] = []
        for byte in bytes {
            if case let .checking(matched) = bomState {
                if byte == Self.bom[matched] {
                    bomState = matched == 2 ? .done : .checking(matched: matched + 1)
                    continue
                }
                // Not a BOM after all: the bytes held back belong to the first line.
                line.append(contentsOf: Self.bom[0..<matched])
                bomState = .done
            }
            switch byte {
            case 0x0A where lastByteWasCR:
                lastByteWasCR = false
            case 0x0A, 0x0D:
                lastByteWasCR = byte == 0x0D
                if let item = endLine(arrival: arrival) { items.append(item) }
            default:
                lastByteWasCR = false
                line.append(byte)
                if line.count > maxLineBytes { throw LineTooLong(limit: maxLineBytes) }
            }
        }
        return items
    }

    /// The end of the stream: an unfinished event is discarded, as the standard says.
    public mutating func finish() {
        line.removeAll()
        dataBuffer = ""
        hasData = false
        eventType = ""
        blockId = nil
    }

    private mutating func endLine(arrival: ContinuousClock.Instant) -> EventStreamItem? {
        if case let .checking(matched) = bomState {
            line.insert(contentsOf: Self.bom[0..<matched], at: 0)
            bomState = .done
        }
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch(arrival: arrival) }
        let text = String(decoding: line, as: UTF8.self)
        if text.first == ":" {
            return .comment(String(text.dropFirst()), arrival: arrival)
        }
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "event":
            eventType = String(value)
        case "data":
            if hasData { dataBuffer += "\n" }
            dataBuffer += value
            hasData = true
        case "id":
            if !value.contains("\u{0}") {
                lastEventId = String(value)
                blockId = lastEventId
            }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }), let milliseconds = Int(value) {
                return .retry(milliseconds, arrival: arrival)
            }
        default:
            break
        }
        return nil
    }

    private mutating func dispatch(arrival: ContinuousClock.Instant) -> EventStreamItem? {
        defer {
            dataBuffer = ""
            hasData = false
            eventType = ""
            blockId = nil
        }
        // The data buffer gets "value LF" per data line and loses its last LF on
        // dispatch; an empty buffer means no data line at all: nothing to dispatch.
        guard hasData else { return nil }
        let event = ServerSentEvent(type: eventType.isEmpty ? "message" : eventType, data: dataBuffer,
                                    id: blockId, lastEventId: lastEventId, arrival: arrival)
        return .event(event)
    }
}
