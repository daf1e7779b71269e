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
            line(elapsed, json: { buffer in
                buffer.append(#"{"data":"#)
                buffer.appendJSONString(event.data)
                buffer.append(#","event":"#)
                buffer.appendJSONString(event.type)
                buffer.append(#","id":"#)
                if let id = event.id { buffer.appendJSONString(id) } else { buffer.append("null") }
                // WHATWG's lastEventId: the last event ID buffer, kept across events without an id line.
                buffer.append(#","kind":"event","last_event_id":"#)
                buffer.appendJSONString(event.lastEventId)
                buffer.append(#","t_ms":"#)
                buffer.appendMilliseconds(elapsed)
            }, text: { buffer in
                buffer.append(event.type)
                if let id = event.id { buffer.append(" #"); buffer.append(id) }
                buffer.append("  ")
                buffer.append(event.data)
            })
        case let .comment(text, _):
            line(elapsed, json: { buffer in
                buffer.append(#"{"kind":"comment","t_ms":"#)
                buffer.appendMilliseconds(elapsed)
                buffer.append(#","text":"#)
                buffer.appendJSONString(text)
            }, text: { buffer in
                buffer.append(":")
                buffer.append(text)
            })
        case let .retry(value, _):
            line(elapsed, json: { buffer in
                buffer.append(#"{"kind":"retry","retry_ms":"#)
                buffer.appendInteger(value)
                buffer.append(#","t_ms":"#)
                buffer.appendMilliseconds(elapsed)
            }, text: { buffer in
                buffer.append("retry ")
                buffer.appendInteger(value)
            })
        }
    }

    /// One line: the JSON object's members (closed here), or the time column and the text.
    private mutating func line(_ elapsed: Double, json: (inout LineBuffer) -> Void, text: (inout LineBuffer) -> Void) {
        if jsonl {
            json(&buffer)
            buffer.append("}\n")
        } else {
            buffer.appendMilliseconds(elapsed, width: 9)
            buffer.append(" ms  ")
            text(&buffer)
            buffer.append(byte: 10)
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

    /// The stream as its dialect reads it: its text, end, usage and frames it could not read or
    /// did not know, the contract's checks that failed, and its timing.
    public mutating func dialect(_ stream: NormalisedStream, timing: StreamTiming, failures: [String]) {
        let reason: String? = stream.terminals.first.flatMap { if case let .terminal(reason, _) = $0.part { reason } else { nil } }
        func ms(_ duration: Duration?) -> Double? { duration.map(\.inMilliseconds) }
        if jsonl {
            var object: [String: Any] = ["kind": "dialect", "dialect": stream.dialect, "text": stream.text, "terminal_events": stream.terminals.count,
                                         "unknown_frames": stream.unknownCount, "unreadable_frames": stream.unreadable, "failed_checks": failures,
                                         "chunk_gaps": timing.chunkGaps.count]
            object["finish_reason"] = reason
            object["input_tokens"] = stream.usage?.input?.int
            object["output_tokens"] = stream.usage?.output?.int
            object["ttft_ms"] = ms(timing.timeToFirstToken)
            object["gap_p50_ms"] = ms(timing.gap(quantile: 0.5))
            object["gap_p95_ms"] = ms(timing.gap(quantile: 0.95))
            object["gap_max_ms"] = ms(timing.chunkGaps.max())
            object["tpot_ms"] = ms(timing.timePerOutputToken)
            object["tokens_per_second"] = timing.tokensPerSecond
            emit(object)
        } else {
            let usage = stream.usage.map { " usage: input \($0.input?.text ?? "-") output \($0.output?.text ?? "-");" } ?? ""
            buffer.append("-- \(stream.dialect): \(stream.text.count) characters of text, \(stream.terminals.count) terminal event(s)" +
                          (reason.map { " (\($0))" } ?? "") + ";\(usage) \(stream.unknownCount) unknown frame(s)\n")
            let figures = [("TTFT", ms(timing.timeToFirstToken)), ("gap p50", ms(timing.gap(quantile: 0.5))), ("p95", ms(timing.gap(quantile: 0.95))),
                           ("max", ms(timing.chunkGaps.max())), ("TPOT", ms(timing.timePerOutputToken))]
                .compactMap { name, value in value.map { String(format: "%@ %.1f ms", name, $0) } }
            buffer.append("-- timing: " + (figures.isEmpty ? "no text arrived" : figures.joined(separator: ", ")) +
                          (timing.tokensPerSecond.map { String(format: ", %.1f tokens/s", $0) } ?? "") + "\n")
            for problem in stream.unreadable + failures { buffer.append("-- ✘ \(problem)\n") }
        }
        flush()
    }

    /// The head and the summary: once a stream, so Foundation's JSON is fine there.
    private mutating func emit(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        buffer.append(String(decoding: data, as: UTF8.self) + "\n")
    }
}
