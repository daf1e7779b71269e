#if canImport(Glibc)
import Glibc
#endif
import Transport

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

    /// The event's data: the first data line as a String (most events have one),
    /// the joined lines in `dataBuffer` once a second one comes.
    private var firstData: String?
    private var dataBuffer: [UInt8] = []
    private var dataLines = 0
    private var eventType = ""
    private var eventTypeBytes: [UInt8] = []
    private var eventTypeString = ""
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
        items.reserveCapacity(bytes.underestimatedCount / 64)
        try feed(bytes, arrival: arrival, into: &items)
        return items
    }

    /// The same, into `items`, which it empties first and keeps the capacity of: a
    /// reader that passes one array for every chunk allocates none per chunk (a new
    /// array for each chunk also made malloc consolidate the freed strings of the last one).
    public mutating func feed(_ bytes: some Sequence<UInt8>, arrival: ContinuousClock.Instant = .now, into items: inout [EventStreamItem]) throws {
        items.removeAll(keepingCapacity: true)
        let time = ArrivalTime(arrival)
        if try bytes.withContiguousStorageIfAvailable({ try scan($0, arrival: time, into: &items) }) == nil {
            try Array(bytes).withUnsafeBufferPointer { try scan($0, arrival: time, into: &items) }
        }
    }

    /// The end of the stream: an unfinished event is discarded, as the standard says.
    public mutating func finish() {
        line.removeAll()
        resetEvent()
    }

    /// Forgets the event being assembled (the last event ID stays).
    private mutating func resetEvent() {
        if dataLines > 1 { dataBuffer.removeAll(keepingCapacity: true) }
        firstData = nil
        dataLines = 0
        eventType = ""
        blockId = nil
    }

    /// Line ends are found with memchr (LF, and the next CR remembered across
    /// lines), and a line that lies whole in the chunk is read where it is:
    /// only a line split across chunks is copied.
    private mutating func scan(_ buffer: UnsafeBufferPointer<UInt8>, arrival: ArrivalTime, into items: inout [EventStreamItem]) throws {
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
        guard let base = buffer.baseAddress, index < buffer.count else { return }
        let count = buffer.count
        // The LF of a CRLF whose CR ended the previous chunk ends nothing.
        if lastByteWasCR, base[index] == 0x0A { index += 1 }
        lastByteWasCR = false
        var nextCR = -1
        while index < count {
            if nextCR < index { nextCR = Self.position(of: 0x0D, in: base, from: index, count: count) }
            let lf = Self.position(of: 0x0A, in: base, from: index, count: min(count, nextCR))
            let end = min(lf, nextCR)
            guard end < count else { break }
            if line.isEmpty {
                if end - index > maxLineBytes { throw LineTooLong(limit: maxLineBytes) }
                try endLine(UnsafeBufferPointer(start: base + index, count: end - index), arrival: arrival, into: &items)
            } else {
                line.append(contentsOf: UnsafeBufferPointer(start: base + index, count: end - index))
                if line.count > maxLineBytes { throw LineTooLong(limit: maxLineBytes) }
                // Taken out of `self` while endLine mutates it; its capacity is kept for the next split line.
                var whole: [UInt8] = []
                swap(&whole, &line)
                try whole.withUnsafeBufferPointer { try endLine($0, arrival: arrival, into: &items) }
                whole.removeAll(keepingCapacity: true)
                swap(&whole, &line)
            }
            index = end + 1
            if base[end] == 0x0D {
                if index < count {
                    if base[index] == 0x0A { index += 1 }
                } else {
                    lastByteWasCR = true
                }
            }
        }
        if index < count {
            line.append(contentsOf: UnsafeBufferPointer(start: base + index, count: count - index))
            if line.count > maxLineBytes { throw LineTooLong(limit: maxLineBytes) }
        }
    }

    /// The first `byte` in base[from..<count], or `count`.
    private static func position(of byte: UInt8, in base: UnsafePointer<UInt8>, from: Int, count: Int) -> Int {
        guard from < count, let hit = memchr(base + from, Int32(byte), count - from) else { return count }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
    }

    private enum Field { case data, event, id, retry, other }

    /// The field a name is, compared as words: the names are two to five bytes.
    private static func field(_ name: UnsafeBufferPointer<UInt8>) -> Field {
        guard let start = name.baseAddress else { return .other }
        let raw = UnsafeRawPointer(start)
        switch name.count {
        case 2: return raw.loadUnaligned(as: UInt16.self) == UInt16(littleEndian: 0x6469) ? .id : .other
        case 4: return raw.loadUnaligned(as: UInt32.self) == UInt32(littleEndian: 0x6174_6164) ? .data : .other
        case 5:
            let head = raw.loadUnaligned(as: UInt32.self)
            if head == UInt32(littleEndian: 0x6E65_7665), start[4] == 0x74 { return .event }
            if head == UInt32(littleEndian: 0x7274_6572), start[4] == 0x79 { return .retry }
            return .other
        default: return .other
        }
    }

    private static func equal(_ field: UnsafeBufferPointer<UInt8>, _ name: [UInt8]) -> Bool {
        field.count == name.count && (name.isEmpty || name.withUnsafeBufferPointer { memcmp(field.baseAddress!, $0.baseAddress!, name.count) == 0 })
    }

    /// One line's effect; what it completes is appended to `items`.
    private mutating func endLine(_ line: UnsafeBufferPointer<UInt8>, arrival: ArrivalTime, into items: inout [EventStreamItem]) throws {
        guard let start = line.baseAddress, !line.isEmpty else { return dispatch(arrival: arrival, into: &items) }
        if line[0] == 0x3A {
            return items.append(.comment(String(decoding: UnsafeBufferPointer(rebasing: line[1...]), as: UTF8.self), arrival: arrival))
        }
        // Field names are a few bytes: a plain loop finds the colon sooner than a call to memchr.
        var colon = 0
        while colon < line.count, start[colon] != 0x3A { colon += 1 }
        let field = UnsafeBufferPointer(start: start, count: colon)
        var valueStart = min(colon + 1, line.count)
        if colon < line.count, valueStart < line.count, line[valueStart] == 0x20 { valueStart += 1 }
        let value = UnsafeBufferPointer(start: start + valueStart, count: line.count - valueStart)
        switch Self.field(field) {
        case .data:
            dataLines += 1
            if dataLines == 1 {
                firstData = String(decoding: value, as: UTF8.self)
                return
            }
            if dataLines == 2, let firstData {
                var first = firstData
                first.withUTF8 { dataBuffer.append(contentsOf: $0) }
            }
            // Many data lines and no blank line would grow one event without bound.
            if dataBuffer.count + value.count > maxLineBytes { throw LineTooLong(limit: maxLineBytes) }
            dataBuffer.append(0x0A)
            dataBuffer.append(contentsOf: value)
        case .event:
            // Streams repeat a handful of types: the last one's String is kept when the bytes match.
            if !Self.equal(value, eventTypeBytes) {
                eventTypeBytes.removeAll(keepingCapacity: true)
                eventTypeBytes.append(contentsOf: value)
                eventTypeString = String(decoding: value, as: UTF8.self)
            }
            eventType = eventTypeString
        case .id:
            if !value.contains(0) {
                lastEventId = String(decoding: value, as: UTF8.self)
                blockId = lastEventId
            }
        case .retry:
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let milliseconds = Int(String(decoding: value, as: UTF8.self)) {
                items.append(.retry(milliseconds, arrival: arrival))
            }
        case .other:
            break
        }
    }

    private mutating func dispatch(arrival: ArrivalTime, into items: inout [EventStreamItem]) {
        // No data line at all: nothing to dispatch.
        guard dataLines > 0 else { return resetEvent() }
        // The data and id move into the event (taken, not copied and released again).
        let data = dataLines == 1 ? firstData.take() ?? "" : String(decoding: dataBuffer, as: UTF8.self)
        let event = ServerSentEvent(type: eventType.isEmpty ? "message" : eventType, data: data,
                                    id: blockId.take(), lastEventId: lastEventId, time: arrival)
        resetEvent()
        items.append(.event(consume event))
    }
}
