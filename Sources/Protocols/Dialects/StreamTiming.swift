/// The timing of one reply, as the LLM benchmarks report it, on any dialect:
/// time to first token (request → first non-empty text delta), the gaps between
/// the chunks that carried text (providers batch tokens, so a chunk gap is not a
/// token gap), time to the terminal event, and tokens per second where usage
/// gives the count.
public struct StreamTiming: Sendable, Equatable {
    public let timeToFirstByte: Duration?
    public let timeToFirstToken: Duration?
    /// Between successive frames that carried text, after the first.
    public let chunkGaps: [Duration]
    /// Request → the last frame before the terminal marker (vLLM's `latency`).
    public let latency: Duration?
    public let timeToTerminal: Duration?
    public let outputTokens: Int?

    /// - Parameters:
    ///   - started: when the request was sent.
    ///   - headArrival: when the response head arrived.
    public init(_ stream: NormalisedStream, started: ContinuousClock.Instant, headArrival: ContinuousClock.Instant? = nil) {
        timeToFirstByte = headArrival.map { $0 - started }
        // One arrival per frame: a frame that carries text twice is one chunk.
        var textFrames: [(frame: Int, arrival: ContinuousClock.Instant)] = []
        for element in stream.elements {
            guard case let .text(piece) = element.part, !piece.isEmpty, textFrames.last?.frame != element.frame else { continue }
            textFrames.append((element.frame, element.arrival))
        }
        timeToFirstToken = textFrames.first.map { $0.arrival - started }
        chunkGaps = zip(textFrames.dropFirst(), textFrames).map { $0.arrival - $1.arrival }
        let terminal = stream.terminals.first
        timeToTerminal = terminal.map { $0.arrival - started }
        // The last frame before the `[DONE]` marker, pings aside.
        let markers = Set(stream.elements.filter { $0.part == .done }.map(\.frame))
        let beforeEnd = stream.elements.last { $0.part != .ping && !markers.contains($0.frame) }
        latency = beforeEnd.map { $0.arrival - started }
        outputTokens = stream.usage?.output?.int
    }

    /// Output tokens per second after the first token.
    public var tokensPerSecond: Double? {
        guard let outputTokens, outputTokens > 1, let first = timeToFirstToken, let latency, latency > first else { return nil }
        return Double(outputTokens - 1) / (latency - first).seconds
    }

    /// Time per output token after the first: (latency − TTFT) / (tokens − 1), as vLLM computes it.
    public var timePerOutputToken: Duration? {
        guard let outputTokens, outputTokens > 1, let first = timeToFirstToken, let latency else { return nil }
        return (latency - first) / (outputTokens - 1)
    }

    /// The `q` quantile (0…1) of the chunk gaps, by the nearest rank.
    public func gap(quantile q: Double) -> Duration? {
        guard !chunkGaps.isEmpty else { return nil }
        let sorted = chunkGaps.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
