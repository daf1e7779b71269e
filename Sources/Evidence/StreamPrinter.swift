import Foundation
import Protocols
import Transport

/// Writes the lines of a stream to stdout, one write per network chunk,
/// redacted where a secret could be.
public struct StreamPrinter {
    public let jsonl: Bool
    public let redactor: Redactor
    /// Where the lines go: stdout for the CLI, any descriptor for a benchmark.
    public let descriptor: Int32
    var buffer = LineBuffer()

    public init(jsonl: Bool, redactor: Redactor, descriptor: Int32 = 1) {
        self.jsonl = jsonl
        self.redactor = redactor
        self.descriptor = descriptor
    }

    public mutating func head(_ response: StreamingResponse) {
        if jsonl {
            emit(["kind": "head", "status": response.status, "content_type": response.headers["Content-Type"] ?? "",
                  "trace_id": response.headers["X-Trace-Id"] ?? ""])
        } else {
            buffer.append("HTTP \(response.status) \(response.headers["Content-Type"] ?? "(no content type)")" +
                          (response.headers["X-Trace-Id"].map { " trace=\($0)" } ?? "") + "\n")
        }
        flush()
    }

    /// `   1234.5 ms  delta #7  {...}`, or `{"data":…,"event":…,"id":…,"kind":"event","t_ms":…}`.
    public mutating func item(_ item: EventStreamItem, at elapsed: Double) {
        switch item {
        case let .event(event):
            if jsonl {
                buffer.append(#"{"data":"#)
                buffer.appendJSONString(event.data)
                buffer.append(#","event":"#)
                buffer.appendJSONString(event.type)
                buffer.append(#","id":"#)
                if let id = event.id { buffer.appendJSONString(id) } else { buffer.append("null") }
                buffer.append(#","kind":"event","t_ms":"#)
                buffer.appendMilliseconds(elapsed)
                buffer.append("}\n")
            } else {
                buffer.appendMilliseconds(elapsed, width: 9)
                buffer.append(" ms  ")
                buffer.append(event.type)
                if let id = event.id { buffer.append(" #"); buffer.append(id) }
                buffer.append("  ")
                buffer.append(event.data)
                buffer.append(byte: 10)
            }
        case let .comment(text, _):
            if jsonl {
                buffer.append(#"{"kind":"comment","t_ms":"#)
                buffer.appendMilliseconds(elapsed)
                buffer.append(#","text":"#)
                buffer.appendJSONString(text)
                buffer.append("}\n")
            } else {
                buffer.appendMilliseconds(elapsed, width: 9)
                buffer.append(" ms  :")
                buffer.append(text)
                buffer.append(byte: 10)
            }
        case let .retry(value, _):
            if jsonl {
                buffer.append(#"{"kind":"retry","retry_ms":"#)
                buffer.appendInteger(value)
                buffer.append(#","t_ms":"#)
                buffer.appendMilliseconds(elapsed)
                buffer.append("}\n")
            } else {
                buffer.appendMilliseconds(elapsed, width: 9)
                buffer.append(" ms  retry ")
                buffer.appendInteger(value)
                buffer.append(byte: 10)
            }
        }
    }

    public mutating func flush() { buffer.flush(to: descriptor, redactor: redactor) }

    public mutating func summary(_ summary: StreamSummary, status: Int) {
        if jsonl {
            var object: [String: Any] = ["kind": "summary", "status": status, "events": summary.events, "comments": summary.comments,
                                         "by_type": summary.byType, "bytes": summary.bytes, "ending": summary.ending]
            object["first_event_ms"] = summary.firstEventMs
            object["last_event_ms"] = summary.lastEventMs
            if let timings = summary.timings {
                object["first_byte_ms"] = timings.firstByte.inMilliseconds
                object["http_version"] = timings.httpVersion
            }
            emit(object)
        } else {
            let types = summary.byType.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            buffer.append("-- \(summary.events) events (\(types)), \(summary.comments) comments, \(summary.bytes) bytes; \(summary.ending)\n")
        }
        flush()
    }

    /// The head and the summary: once a stream, so Foundation's JSON is fine there.
    private mutating func emit(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        buffer.append(String(decoding: data, as: UTF8.self) + "\n")
    }
}
