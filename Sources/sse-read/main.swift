import Foundation
import Contract
import Evidence
import Protocols
import Transport

// The Swift readers of ci/bench's side-by-side table: `sse-read MODE URL` reads
// the whole stream with this project's transport and prints `events=N bytes=N`:
// `bytes` only counts bytes (the transport alone), `ours` parses with
// EventStreamParser.
let arguments = CommandLine.arguments
guard arguments.count == 3, ["bytes", "ours"].contains(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: sse-read bytes|ours URL\n".utf8))
    exit(2)
}
let response = try await HTTPClient().stream(RequestTemplate().request(.get, arguments[2], deadlines: Deadlines(total: .seconds(1200))))
var events = 0
switch arguments[1] {
case "bytes":
    for try await chunk in response.body { blackHole(chunk.bytes.count) }
default:
    var parser = EventStreamParser()
    var items: [EventStreamItem] = []
    for try await chunk in response.body {
        try parser.feed(chunk.bytes, arrival: chunk.arrival, into: &items)
        for case .event in items { events += 1 }
    }
}

print("events=\(events) bytes=\(response.receivedBytes)")

@inline(never) func blackHole(_ value: Int) {}
