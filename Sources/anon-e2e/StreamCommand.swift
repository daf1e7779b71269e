import ArgumentParser
import Foundation
import Contract
import Evidence
import Protocols
import Transport

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

    @Option(name: .long, help: "Also read the stream in this dialect (native, openai-chat, openai-responses, anthropic, ai-sdk-ui, custom): its text, end, usage, timing, and the contract's checks (S2.14), which fail the command.")
    var dialect: String?

    @Option(name: .long, help: "custom's mapping as JSON (STREAM_DIALECT_MAPPING).")
    var mapping: String?

    /// The dialect asked for, if any.
    func streamDialect(_ configuration: Configuration) throws -> (any StreamDialect)? {
        guard let dialect else { return nil }
        if dialect == "custom" {
            guard let json = mapping ?? configuration[.streamDialectMapping] else { throw ValidationError("--dialect custom needs --mapping (or STREAM_DIALECT_MAPPING)") }
            do { return try CustomDialect(json: json) } catch { throw ValidationError(error.description) }
        }
        guard let named = StreamDialects.named(dialect) else {
            throw ValidationError("--dialect \(dialect) is not one of \(StreamDialects.names.joined(separator: ", "))")
        }
        return named
    }

    mutating func run() async throws {
        // Its own flags, not the configuration's target: any URL, the curl tool's way.
        let template = RequestTemplate(tls: TLSOptions(caBundlePath: cacert),
                                       deadlines: Deadlines(connect: .seconds(10), total: .milliseconds(Int64(maxTime * 1000)), idle: .milliseconds(Int64(idle * 1000))))
        var request = template.request(data == nil ? .get : .post, url, headers: ["Accept": "text/event-stream"], body: data.map { Array($0.utf8) })
        if data != nil { request.headers.add("Content-Type", "application/json") }
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else { throw ValidationError("header '\(header)' is not 'Name: value'") }
            request.headers.set(String(header[..<colon]), header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }

        let configuration = Configuration.loadReporting().0
        let dialect = try streamDialect(configuration)
        var output = StreamPrinter(jsonl: jsonl, redactor: Redactor(configuration: configuration))
        let response = try await HTTPClient().stream(request)
        output.head(response)
        var summary = StreamSummary()
        // One parse, one format and one write per network chunk: the output keeps pace with the parser.
        var parser = EventStreamParser()
        var items: [EventStreamItem] = []
        // What the dialect reads, kept up to the suite's own bound on one stream.
        var kept: [EventStreamItem] = []
        do {
            for try await chunk in response.body {
                try parser.feed(chunk.bytes, arrival: chunk.arrival, into: &items)
                if dialect != nil, kept.count < MessagesAPI.maxItems { kept += items.prefix(MessagesAPI.maxItems - kept.count) }
                for item in items {
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
        var failures: [Verdict] = []
        if let dialect {
            let normalised = dialect.normalise(kept)
            failures = NormalisedStreamChecks(dialect: dialect).verdicts(normalised, closedByServer: !summary.ending.hasPrefix("error")).failures
            output.dialect(normalised, timing: StreamTiming(normalised, started: response.started, headArrival: response.headArrival),
                           failures: failures.map { "\($0.check)\($0.detail.map { ": \($0)" } ?? "")" })
        }
        // An error frame inside a 200 stream, a stream without its end: a failure, whatever the status.
        if !(200..<300).contains(response.status) || summary.ending.hasPrefix("error") || !failures.isEmpty { throw ExitCode(1) }
    }
}
