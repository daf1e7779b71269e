/// CONTRACT §2's own frames: `meta`, `delta` (numbered by `seq`), `final`
/// (the whole reply and its usage), `error` with a K1 body; the names configurable.
public struct NativeDialect: StreamDialect {
    public var name: String { "native" }
    public var hasStart: Bool { true }
    public var numbersFrames: Bool { false }
    public var carriesUsage: Bool { true }
    public let meta, delta, final, error: String

    public init(meta: String = "meta", delta: String = "delta", final: String = "final", error: String = "error") {
        (self.meta, self.delta, self.final, self.error) = (meta, delta, final, error)
    }

    public func read(_ event: ServerSentEvent) -> DialectReading {
        switch event.type {
        case meta: object(event).reading { .parts([.start(messageID: $0["message_id"]?.string)]) }
        // `seq` orders deltas only, from 1: the order key of the deltas, checked by StreamInvariants.
        case delta: object(event).reading { .parts([.text($0["delta"]?.string ?? "")], order: $0["seq"]?.int) }
        case final:
            object(event).reading { data in
                .parts([.usage(input: data["usage"]?["prompt_tokens"], output: data["usage"]?["completion_tokens"]),
                        .terminal(reason: data["finish_reason"]?.string, text: data["content"]?.string)])
            }
        case error: .parts([.error(JSONValue.parse(event.data))])
        default: .parts([.unknown(event.type)])
        }
    }

    public func answer(_ body: JSONValue) -> DialectAnswer? { DialectAnswer(text: body["content"]?.string, id: body["message_id"]?.string) }

    public func errorShapeProblem(_ body: JSONValue?) -> String? {
        let missing = ErrorBodyKeys.missing(from: body)
        return missing.isEmpty ? nil : "the error frame is not a K1 body: no \(missing.joined(separator: ", "))"
    }
}
