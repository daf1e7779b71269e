import Protocols
import Transport
/// An event stream as a log: one line per event or comment, with its arrival
/// in milliseconds since the request started (`sse.log`).
public struct EventTranscript: Sendable {
    public let started: ContinuousClock.Instant
    /// When the response head arrived: the stream's silences are counted from here.
    public let headArrival: ContinuousClock.Instant
    public private(set) var items: [EventStreamItem] = []

    public init(started: ContinuousClock.Instant, headArrival: ContinuousClock.Instant? = nil) {
        self.started = started
        self.headArrival = headArrival ?? started
    }

    public mutating func append(_ item: EventStreamItem) { items.append(item) }

    public var events: [ServerSentEvent] { items.compactMap(\.event) }

    public func milliseconds(_ item: EventStreamItem) -> Double {
        (item.arrival - started).inMilliseconds
    }

    /// The longest time in which no byte arrived, from the head on.
    public var longestSilence: Duration {
        var previous = headArrival, longest = Duration.zero
        for item in items {
            longest = max(longest, item.arrival - previous)
            previous = item.arrival
        }
        return longest
    }

    /// What came, in a line: counts by type, the first and last events, the time span.
    public var summary: String {
        let events = self.events
        var counts: [String: Int] = [:]
        for event in events { counts[event.type, default: 0] += 1 }
        let comments = items.count - events.count
        let span = items.last.map { String(format: "%.1f s", ($0.arrival - started).inMilliseconds / 1000) } ?? "nothing"
        let types = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        var text = "\(events.count) events (\(types.isEmpty ? "none" : types)), \(comments) comments over \(span)"
        if let last = events.last { text += "; last event \(last.type) id \(last.id ?? "-"): \(last.data.prefix(120))" }
        return text
    }

    /// `sse.log`: built on the CLI's output path (`LineBuffer`), one line per item.
    public var text: String {
        guard !items.isEmpty else { return "\n" }
        var buffer = LineBuffer(capacity: items.count * 96)
        for item in items {
            buffer.append(byte: 43)
            buffer.appendInteger(Int(milliseconds(item)))
            buffer.append("ms ")
            switch item {
            case let .event(event):
                buffer.append("event=")
                buffer.append(event.type)
                buffer.append(" id=")
                buffer.append(event.id ?? "-")
                buffer.append(" data=")
                buffer.append(event.data.contains("\n") ? event.data.replacingOccurrences(of: "\n", with: "\\n") : event.data)
            case let .comment(text, _):
                buffer.append("comment=")
                buffer.append(text)
            case let .retry(milliseconds, _):
                buffer.append("retry=")
                buffer.appendInteger(milliseconds)
            }
            buffer.append(byte: 10)
        }
        return String(decoding: buffer.bytes, as: UTF8.self)
    }
}
