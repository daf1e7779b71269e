import Testing
@testable import Protocols
@testable import Transport

/// One conformance vector: the bytes on the wire and the events a conforming
/// parser dispatches. Each names the web-platform-tests file (`eventsource/`)
/// whose server response it reproduces; `message.php` appends "\n\n\n" by
/// default and "\n" with `newline=none`.
struct WireCase: CustomTestStringConvertible, Sendable {
    let name: String
    let wire: [UInt8]
    let events: [ServerSentEvent]
    var retry: Int?

    init(_ name: String, _ wire: String, _ events: [ServerSentEvent], retry: Int? = nil) {
        self.init(name, Array(wire.utf8), events, retry: retry)
    }

    init(_ name: String, _ wire: [UInt8], _ events: [ServerSentEvent], retry: Int? = nil) {
        self.name = name
        self.wire = wire
        self.events = events
        self.retry = retry
    }

    var testDescription: String { name }
}

private func message(_ data: String, type: String = "message", id: String? = nil, last: String = "") -> ServerSentEvent {
    ServerSentEvent(type: type, data: data, id: id, lastEventId: last)
}

private let bom = "\u{FEFF}"
private let long = String(repeating: "x", count: 2048)

let wptFormatCases: [WireCase] = [
    WireCase("format-bom", "\(bom)data:1\n\n\(bom)data:2\n\ndata:3\n\n\n", [message("1"), message("3")]),
    WireCase("format-bom-2", "\(bom)\(bom)data:1\n\ndata:2\n\ndata:3\n\n\n", [message("2"), message("3")]),
    WireCase("format-comments", "data:1\r:\u{0}\n:\r\ndata:2\n:\(long)\rdata:3\n:data:fail\r:\(long)\ndata:4\n\n", [message("1\n2\n3\n4")]),
    WireCase("format-data-before-final-empty-line", "retry:1000\ndata:test1\n\nid:test\ndata:test2\n",
             [message("test1")], retry: 1000),
    WireCase("format-field-data", "data:\n\ndata\ndata\n\ndata:test\n\n\n", [message(""), message("\n"), message("test")]),
    WireCase("format-field-event", "event:test\ndata:x\n\ndata:x\n\n\n", [message("x", type: "test"), message("x")]),
    WireCase("format-field-event-empty", "event: \ndata:data\n\n\n", [message("data")]),
    WireCase("format-field-id", "id: …\ndata: hello\n\ndata: …\n\n", [message("hello", id: "…", last: "…"), message("…", last: "…")]),
    WireCase("format-field-id-2", "id: …\ndata: hello\n\ndata: …\n\ndata: …\n\n",
             [message("hello", id: "…", last: "…"), message("…", last: "…"), message("…", last: "…")]),
    WireCase("format-field-id-3 (persists)", "id: 1\ndata: a\n\ndata: b\n\n", [message("a", id: "1", last: "1"), message("b", last: "1")]),
    WireCase("format-field-id-3 (changes and persists)", "id: 1\ndata: a\n\nid: 2\ndata: b\n\ndata: c\n\n",
             [message("a", id: "1", last: "1"), message("b", id: "2", last: "2"), message("c", last: "2")]),
    WireCase("format-field-id-3 (resets)", "id: 1\ndata: a\n\nid\ndata: b\n\ndata: c\n\n",
             [message("a", id: "1", last: "1"), message("b", id: "", last: ""), message("c", last: "")]),
    WireCase("format-field-id-null", "id: 1\ndata: a\n\nid:\u{0}\u{0}\ndata: b\n\nid:x\u{0}\ndata: c\n\n",
             [message("a", id: "1", last: "1"), message("b", last: "1"), message("c", last: "1")]),
    WireCase("format-field-parsing", "data:\u{0}\ndata:  2\rData:1\ndata\u{0}:2\ndata:1\r\u{0}data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n\n",
             [message("\u{0}\n 2\n1\n3\n\n4")]),
    WireCase("format-field-retry", "retry:02000\ndata:x\n\n\n", [message("x")], retry: 2000),
    WireCase("format-field-retry-bogus", "retry:2000\nretry:1000x\ndata:x\n\n\n", [message("x")], retry: 2000),
    WireCase("format-field-retry-empty", "retry\ndata:test\n\n\n", [message("test")]),
    WireCase("format-field-unknown", "data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n\n",
             [message("test\n\ntest")]),
    WireCase("format-leading-space", "data:\ttest\rdata: \ndata:test\n\n\n", [message("\ttest\n\ntest")]),
    WireCase("format-newlines", "data:test\r\ndata\ndata:test\r\n\r\n\n", [message("test\n\ntest")]),
    WireCase("format-null-character", "data:\u{0}\n\n\n\n", [message("\u{0}")]),
    WireCase("format-utf-8", "data:ok…\n\n\n", [message("ok…")]),
    WireCase("invalid UTF-8 becomes U+FFFD", Array("data:a".utf8) + [0xFF, 0xC3] + Array("b\n\n".utf8), [message("a\u{FFFD}\u{FFFD}b")]),
    WireCase("unfinished event at end of stream is discarded", "data:1\n\ndata:2", [message("1")]),
]

@Suite("EventStreamParser")
struct EventStreamParserTests {
    @Test("every WPT format-* vector parses to the events a browser dispatches", arguments: wptFormatCases)
    func wptFormat(_ vector: WireCase) throws {
        let (events, retry) = try parse([vector.wire])
        #expect(events == vector.events)
        #expect(retry == vector.retry)
    }

    @Test("any split of the same bytes into chunks yields identical events", arguments: wptFormatCases)
    func chunkSplitProperty(_ vector: WireCase) throws {
        let whole = try parse([vector.wire])
        var generator = SplitMix(seed: UInt64(vector.wire.count))
        // Every single split point, then random multi-way splits.
        for cut in 0...vector.wire.count {
            let split = try parse([Array(vector.wire[..<cut]), Array(vector.wire[cut...])])
            #expect(split.events == whole.events, "split at byte \(cut)")
        }
        for _ in 0..<200 {
            var chunks: [[UInt8]] = []
            var rest = vector.wire[...]
            while !rest.isEmpty {
                let size = Int(generator.next() % 7)
                chunks.append(Array(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
            #expect(try parse(chunks).events == whole.events)
        }
    }

    @Test("a CR at the end of one chunk and its LF at the start of the next are one line end")
    func crlfAcrossChunks() throws {
        let (events, _) = try parse([Array("data:a\r".utf8), Array("\ndata:b\r\n\r".utf8), Array("\n".utf8)])
        #expect(events == [message("a\nb")])
    }

    @Test("comments are observable items, in order with the events")
    func commentsAreItems() throws {
        var parser = EventStreamParser()
        let items = try parser.feed(Array(": ping\n\nid: 1\nevent: delta\ndata: {}\n\n:\n".utf8))
        #expect(items == [.comment(" ping", arrival: .now), .event(message("{}", type: "delta", id: "1", last: "1")), .comment("", arrival: .now)])
    }

    @Test("a line without an end past the limit throws instead of growing")
    func lineBound() throws {
        var parser = EventStreamParser(maxLineBytes: 1024)
        #expect(throws: EventStreamParser.LineTooLong.self) {
            _ = try parser.feed([UInt8](repeating: UInt8(ascii: "a"), count: 2048))
        }
    }

    @Test("content types", arguments: [
        ("text/event-stream", true), ("text/event-stream;", true), ("Text/Event-Stream; charset=utf-8", true),
        ("text/event-stream;charset=windows-1252", true), ("text/x-bogus", false), ("text/plain", false),
        (nil, false), ("text/event-streams", false),
    ] as [(String?, Bool)])
    func contentType(_ value: String?, _ expected: Bool) {
        // format-mime-trailing-semicolon, format-mime-bogus, format-mime-valid-bogus, format-utf-8.
        #expect(EventStreamContentType.matches(value) == expected)
    }

    private func parse(_ chunks: [[UInt8]]) throws -> (events: [ServerSentEvent], retry: Int?) {
        var parser = EventStreamParser()
        var events: [ServerSentEvent] = []
        var retry: Int?
        // As EventStream reads: one array of items kept across chunks.
        var items: [EventStreamItem] = []
        for chunk in chunks {
            try parser.feed(chunk, into: &items)
            for item in items {
                switch item {
                case let .event(event): events.append(event)
                case let .retry(milliseconds, _): retry = milliseconds
                case .comment: break
                }
            }
        }
        parser.finish()
        return (events, retry)
    }
}

/// A small deterministic generator, so a failing split is reproducible.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
