import ArgumentParser
import Foundation
import TestSupport

/// `anon-e2e stream URL`: prints every event and comment the moment it
/// arrives, then a summary.
struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Open an SSE stream and print each event and comment as it arrives."
    )

    @Argument(help: "The URL to stream from.")
    var url: String

    @Option(name: [.customShort("H"), .customLong("header")], help: "A request header, 'Name: value' (repeatable).")
    var headers: [String] = []

    @Option(name: .long, help: "A JSON body: the request becomes a POST.")
    var data: String?

    @Flag(name: .long, help: "One JSON object per line, for machines.")
    var jsonl = false

    @Option(name: .long, help: "Seconds the whole stream may take.")
    var maxTime: Double = 300

    @Option(name: .long, help: "Seconds without a byte before giving up.")
    var idle: Double = 60

    @Option(name: .long, help: "A CA bundle for a private CA.")
    var cacert: String?

    mutating func run() async throws {
        var request = HTTPRequest(data == nil ? .get : .post, url, body: data.map { Array($0.utf8) })
        request.headers.add("Accept", "text/event-stream")
        if data != nil { request.headers.add("Content-Type", "application/json") }
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else { throw ValidationError("header '\(header)' is not 'Name: value'") }
            request.headers.set(String(header[..<colon]), header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        request.deadlines = Deadlines(connect: .seconds(10), total: .milliseconds(Int64(maxTime * 1000)), idle: .milliseconds(Int64(idle * 1000)))
        request.tls.caBundlePath = cacert

        var output = StreamPrinter(jsonl: jsonl, redactor: .shared)
        let response = try await HTTPClient().stream(request)
        output.head(response)
        var summary = StreamSummary()
        // One parse, one format and one write per network chunk: the output keeps pace with the parser.
        var parser = EventStreamParser()
        do {
            for try await chunk in response.body {
                for item in try parser.feed(chunk.bytes, arrival: chunk.arrival) {
                    let elapsed = (item.arrival - response.started).inMilliseconds
                    summary.count(item, at: elapsed)
                    output.item(item, at: elapsed)
                }
                output.flush()
            }
            parser.finish()
            summary.ending = "closed by server"
        } catch {
            summary.ending = "error: \(error)"
        }
        summary.bytes = response.receivedBytes
        summary.timings = response.timings
        output.summary(summary, status: response.status)
        if !(200..<300).contains(response.status) || summary.ending.hasPrefix("error") { throw ExitCode(1) }
    }
}

struct StreamSummary {
    var events = 0
    var comments = 0
    var byType: [String: Int] = [:]
    var firstEventMs: Double?
    var lastEventMs: Double?
    var bytes: Int64 = 0
    var ending = ""
    var timings: TransferTimings?

    mutating func count(_ item: EventStreamItem, at elapsed: Double) {
        switch item {
        case let .event(event):
            events += 1
            byType[event.type, default: 0] += 1
            if firstEventMs == nil { firstEventMs = elapsed }
            lastEventMs = elapsed
        case .comment: comments += 1
        case .retry: break
        }
    }
}

/// Writes the lines of a stream to stdout, one write per network chunk,
/// redacted where a secret could be.
struct StreamPrinter {
    let jsonl: Bool
    let redactor: Redactor
    var buffer = LineBuffer()

    mutating func head(_ response: StreamingResponse) {
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
    mutating func item(_ item: EventStreamItem, at elapsed: Double) {
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

    mutating func flush() { buffer.flush(redactor: redactor) }

    mutating func summary(_ summary: StreamSummary, status: Int) {
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
