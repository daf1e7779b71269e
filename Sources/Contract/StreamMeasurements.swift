import Transport
/// The phases of one answered message, in milliseconds from the request:
/// what the history, the metrics and the dashboard trend. A phase that did
/// not happen (no `final` on a broken stream) is left out, never zero.
public struct StreamMeasurements: Sendable {
    public static let names = ["first_byte_ms", "meta_ms", "first_delta_ms", "final_ms", "stream_events",
                               "curl_connect_ms", "curl_tls_ms", "curl_first_byte_ms", "curl_total_ms"]

    public var values: [(name: String, value: Double)]

    /// - Parameter events: the event names of the stream (`StreamInvariants`, from the configuration).
    public init(_ stream: MessageStream, events: StreamInvariants) {
        let transcript = stream.transcript
        var values: [(String, Double)] = [("first_byte_ms", (transcript.headArrival - transcript.started).inMilliseconds)]
        for (name, type) in [("meta_ms", events.meta), ("first_delta_ms", events.delta), ("final_ms", events.final)] {
            if let event = stream.first(type) { values.append((name, (event.arrival - transcript.started).inMilliseconds)) }
        }
        values.append(("stream_events", Double(stream.events.count)))
        if let timings = stream.timings, timings.total > .zero {
            values += [("curl_connect_ms", timings.connect.inMilliseconds), ("curl_tls_ms", timings.tlsHandshake.inMilliseconds),
                       ("curl_first_byte_ms", timings.firstByte.inMilliseconds), ("curl_total_ms", timings.total.inMilliseconds)]
        }
        self.values = values
    }
}
