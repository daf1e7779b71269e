import Protocols

/// CONTRACT §2a (S2.14): the MUSTs of §2 over a stream as its dialect normalised it.
public struct NormalisedStreamChecks: Sendable {
    public let dialect: any StreamDialect

    public init(dialect: any StreamDialect) { self.dialect = dialect }

    /// - Parameters:
    ///   - closedByServer: the server closed the response after the stream.
    ///   - storedText: the reply as the database keeps it (`final_markdown`), where read.
    public func verdicts(_ stream: NormalisedStream, closedByServer: Bool, storedText: String? = nil) -> [Verdict] {
        var verdicts = [Verdict("\(dialect.name): every frame is one the dialect reads", passed: stream.unreadable.isEmpty,
                                detail: stream.unreadable.prefix(3).joined(separator: "; "))]
        let elements = stream.elements
        if dialect.hasStart {
            let firstText = elements.firstIndex { if case .text = $0.part { true } else { false } }
            let start = elements.firstIndex { if case .start = $0.part { true } else { false } }
            verdicts.append(Verdict("one start event, before any text", passed: stream.starts.count == 1 && (firstText.map { text in start.map { $0 < text } ?? false } ?? true),
                                    detail: "\(stream.starts.count) start event(s)"))
        }
        if dialect.numbersFrames {
            let numbers = elements.compactMap(\.order).reduce(into: [Int]()) { if $0.last != $1 { $0.append($1) } }
            let gaps = zip(numbers.dropFirst(), numbers).filter { $0 != $1 + 1 }.map { "\($1) → \($0)" }
            verdicts.append(Verdict("frames numbered without a gap or a step back", passed: !numbers.isEmpty && gaps.isEmpty,
                                    detail: gaps.isEmpty ? "\(numbers.count) numbered frames" : "gaps: \(gaps.prefix(5).joined(separator: ", "))"))
        }
        let terminals = stream.terminals
        verdicts.append(Verdict("exactly one terminal event", passed: terminals.count == 1, detail: "\(terminals.count) terminal event(s)"))
        if let end = elements.firstIndex(where: { if case .terminal = $0.part { true } else { false } }) {
            let after = elements[(end + 1)...].filter { $0.part != .ping && $0.part != .done && $0.frame != elements[end].frame }
            verdicts.append(Verdict("nothing after the terminal event but [DONE] and pings", passed: after.isEmpty,
                                    detail: after.prefix(3).map { "frame \($0.frame): \($0.part)" }.joined(separator: "; ")))
        }
        verdicts.append(Verdict("the server closed the stream after its terminal event", passed: closedByServer && !terminals.isEmpty))
        // The most common way a backend hides a failure: an error frame inside an HTTP 200 stream.
        for error in stream.errors {
            guard case let .error(body) = error.part else { continue }
            verdicts.append(Verdict("no error frame inside the 200 stream", passed: false,
                                    detail: "frame \(error.frame): \(body?.text.prefix(300) ?? "no JSON body")"))
            if let problem = dialect.errorShapeProblem(body) { verdicts.append(Verdict("the error frame has the dialect's error shape", passed: false, detail: problem)) }
        }
        if case let .terminal(_, text?)? = terminals.first?.part {
            verdicts.append(Verdict("the deltas join to the terminal event's text", passed: stream.text == text,
                                    detail: "deltas: \(stream.text.debugDescription.prefix(120)); terminal: \(text.debugDescription.prefix(120))"))
        }
        if let storedText {
            verdicts.append(Verdict("the deltas join to the stored reply", passed: stream.text == storedText,
                                    detail: "deltas: \(stream.text.debugDescription.prefix(120)); stored: \(storedText.debugDescription.prefix(120))"))
        }
        if let usage = stream.usage {
            let counts = [usage.input, usage.output].compactMap { $0 }
            verdicts.append(Verdict("usage counts are integers", passed: counts.allSatisfy { $0.int != nil },
                                    detail: counts.map(\.text).joined(separator: ", ")))
        }
        return verdicts
    }
}
