import Protocols
import Transport
/// The phases of one answered message, in milliseconds from the request:
/// what the history, the metrics and the dashboard trend. A phase that did
/// not happen (no terminal event on a broken stream) is left out, never zero.
/// Read over the stream's dialect: `meta_ms` is its start event, `final_ms` its
/// terminal one, `ttft_ms` its first non-empty text (the benchmarks' TTFT).
public struct StreamMeasurements: Sendable {
    public static let names = ["first_byte_ms", "meta_ms", "first_delta_ms", "ttft_ms", "final_ms", "stream_events",
                               "chunk_gap_p50_ms", "chunk_gap_p95_ms", "chunk_gap_max_ms", "tpot_ms", "tokens_per_second",
                               "curl_connect_ms", "curl_tls_ms", "curl_first_byte_ms", "curl_total_ms"]

    public var values: [(name: String, value: Double)]

    /// - Parameter normalised: the stream as its dialect reads it, where the caller has it already
    ///   (reading it parses every frame's JSON again).
    public init(_ stream: MessageStream, normalised: NormalisedStream? = nil) {
        let transcript = stream.transcript
        let normalised = normalised ?? stream.normalised
        let timing = StreamTiming(normalised, started: transcript.started, headArrival: transcript.headArrival)
        func since(_ element: NormalisedStream.Element?) -> Double? { element.map { ($0.arrival - transcript.started).inMilliseconds } }
        let firstText = normalised.elements.first { if case .text = $0.part { true } else { false } }
        let phases: [(String, Double?)] = [
            ("first_byte_ms", timing.timeToFirstByte?.inMilliseconds), ("meta_ms", since(normalised.starts.first)),
            ("first_delta_ms", since(firstText)), ("ttft_ms", timing.timeToFirstToken?.inMilliseconds),
            ("final_ms", since(normalised.terminals.first)), ("stream_events", Double(stream.events.count)),
            ("chunk_gap_p50_ms", timing.gap(quantile: 0.5)?.inMilliseconds), ("chunk_gap_p95_ms", timing.gap(quantile: 0.95)?.inMilliseconds),
            ("chunk_gap_max_ms", timing.chunkGaps.max()?.inMilliseconds), ("tpot_ms", timing.timePerOutputToken?.inMilliseconds),
            ("tokens_per_second", timing.tokensPerSecond),
        ]
        var values = phases.compactMap { name, value in value.map { (name, $0) } }
        if let timings = stream.timings, timings.total > .zero {
            values += [("curl_connect_ms", timings.connect.inMilliseconds), ("curl_tls_ms", timings.tlsHandshake.inMilliseconds),
                       ("curl_first_byte_ms", timings.firstByte.inMilliseconds), ("curl_total_ms", timings.total.inMilliseconds)]
        }
        self.values = values
    }
}
