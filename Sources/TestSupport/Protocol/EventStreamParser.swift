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
        public var description: String { "an event-stream line (or one event's data) grew past \(limit) bytes without an end" }
    }

    public let maxLineBytes: Int
    private var line: [UInt8] = []
    private var bomState: BOMState = .checking(matched: 0)
    private var lastByteWasCR = false

    private var dataBuffer: [UInt8] = []
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
        if let done = try bytes.withContiguousStorageIfAvailable({ try scan($0, arrival: arrival, into: &items) }) {
            _ = done
        } else {
            try Array(bytes).withUnsafeBufferPointer { try scan($0, arrival: arrival, into: &items) }
        }
        return items
    }

    /// The end of the stream: an unfinished event is discarded, as the standard says.
    public mutating func finish() {
        line.removeAll()
        resetEvent()
    }

    /// Forgets the event being assembled (the last event ID stays).
    private mutating func resetEvent() {
        dataBuffer.removeAll(keepingCapacity: true)
        hasData = false
        eventType = ""
        blockId = nil
    }

    private mutating func scan(_ buffer: UnsafeBufferPointer<UInt8>, arrival: ContinuousClock.Instant, into items: inout [EventStreamItem]) throws {
        var index = 0
        while case let .checking(matched) = bomState, index < buffer.count {
            if buffer[index] == Self.bom[matched] {
                bomState = matched == 2 ? .done : .checking(matched: matched + 1)
                index += 1
            } else {
                // Not a BOM after all: the bytes held back belong to the first line.
                line.append(contentsOf: Self.bom[0..<matched])
                bomState = .done
            }
        }
        var start = index
        while index < buffer.count {
            let byte = buffer[index]
            if byte == 0x0A || byte == 0x0D {
                if byte == 0x0A, lastByteWasCR, index == start {
                    // The LF of a CRLF whose CR ended the previous line.
                    lastByteWasCR = false
                } else {
                    line.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<index]))
                    if line.count > maxLineBytes { throw LineTooLong(limit: maxLineBytes) }
                    if let item = try endLine(arrival: arrival) { items.append(item) }
                    lastByteWasCR = byte == 0x0D
                }
                start = index + 1
            }
            index += 1
        }
        if start < buffer.count {
            lastByteWasCR = false
            line.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
            if line.count > maxLineBytes { throw LineTooLong(limit: maxLineBytes) }
        }
    }

    private static let dataField = Array("data".utf8), eventField = Array("event".utf8)
    private static let idField = Array("id".utf8), retryField = Array("retry".utf8)

    private mutating func endLine(arrival: ContinuousClock.Instant) throws -> EventStreamItem? {
        if case let .checking(matched) = bomState {
            line.insert(contentsOf: Self.bom[0..<matched], at: 0)
            bomState = .done
        }
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch(arrival: arrival) }
        if line[0] == 0x3A {
            return .comment(String(decoding: line[1...], as: UTF8.self), arrival: arrival)
        }
        let field: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: 0x3A) {
            field = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == 0x20 { value = value.dropFirst() }
        } else {
            field = line[...]
            value = []
        }
        if field.elementsEqual(Self.dataField) {
            // Many data lines and no blank line would grow one event without bound.
            if dataBuffer.count + value.count > maxLineBytes { throw LineTooLong(limit: maxLineBytes) }
            if hasData { dataBuffer.append(0x0A) }
            dataBuffer.append(contentsOf: value)
            hasData = true
        } else if field.elementsEqual(Self.eventField) {
            eventType = String(decoding: value, as: UTF8.self)
        } else if field.elementsEqual(Self.idField) {
            if !value.contains(0) {
                lastEventId = String(decoding: value, as: UTF8.self)
                blockId = lastEventId
            }
        } else if field.elementsEqual(Self.retryField) {
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let milliseconds = Int(String(decoding: value, as: UTF8.self)) {
                return .retry(milliseconds, arrival: arrival)
            }
        }
        return nil
    }

    private mutating func dispatch(arrival: ContinuousClock.Instant) -> EventStreamItem? {
        defer { resetEvent() }
        // The data buffer gets "value LF" per data line and loses its last LF on
        // dispatch; an empty buffer means no data line at all: nothing to dispatch.
        guard hasData else { return nil }
        let event = ServerSentEvent(type: eventType.isEmpty ? "message" : eventType, data: String(decoding: dataBuffer, as: UTF8.self),
                                    id: blockId, lastEventId: lastEventId, arrival: arrival)
        return .event(event)
    }
}
