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

        let output = StreamPrinter(jsonl: jsonl, redactor: .shared)
        let response = try await HTTPClient().stream(request)
        output.head(response)
        var summary = StreamSummary()
        do {
            for try await item in EventStream(response) {
                let elapsed = (item.arrival - response.started).inMilliseconds
                summary.count(item, at: elapsed)
                output.item(item, at: elapsed)
            }
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

/// Writes lines straight to stdout (unbuffered), redacted.
struct StreamPrinter {
    let jsonl: Bool
    let redactor: Redactor

    func head(_ response: StreamingResponse) {
        if jsonl {
            emit(["kind": "head", "status": response.status, "content_type": response.headers["Content-Type"] ?? "",
                  "trace_id": response.headers["X-Trace-Id"] ?? ""])
        } else {
            line("HTTP \(response.status) \(response.headers["Content-Type"] ?? "(no content type)")" +
                 (response.headers["X-Trace-Id"].map { " trace=\($0)" } ?? ""))
        }
    }

    func item(_ item: EventStreamItem, at elapsed: Double) {
        let ms = (elapsed * 10).rounded() / 10
        switch item {
        case let .event(event):
            if jsonl {
                emit(["kind": "event", "t_ms": ms, "event": event.type, "id": event.id ?? NSNull(), "data": event.data])
            } else {
                line(String(format: "%9.1f ms  %@%@  %@", ms, event.type, event.id.map { " #\($0)" } ?? "", event.data))
            }
        case let .comment(text, _):
            jsonl ? emit(["kind": "comment", "t_ms": ms, "text": text]) : line(String(format: "%9.1f ms  :%@", ms, text))
        case let .retry(value, _):
            jsonl ? emit(["kind": "retry", "t_ms": ms, "retry_ms": value]) : line(String(format: "%9.1f ms  retry %d", ms, value))
        }
    }

    func summary(_ summary: StreamSummary, status: Int) {
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
            line("-- \(summary.events) events (\(types)), \(summary.comments) comments, \(summary.bytes) bytes; \(summary.ending)")
        }
    }

    private func emit(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        line(String(decoding: data, as: UTF8.self))
    }

    private func line(_ text: String) {
        FileHandle.standardOutput.write(Data((redactor.redact(text) + "\n").utf8))
    }
}
