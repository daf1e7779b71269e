/// libcurl's per-phase timings of one transfer, each from the start of the
/// transfer (`CURLINFO_*_TIME_T`), plus what was negotiated.
public struct TransferTimings: Sendable, Equatable, Codable {
    public var dnsLookup: Duration
    public var connect: Duration
    /// TLS handshake done; zero on cleartext.
    public var tlsHandshake: Duration
    public var firstByte: Duration
    public var total: Duration
    /// "1.1", "2", ... as negotiated.
    public var httpVersion: String
    public var downloadedBytes: Int64

    public init(dnsLookup: Duration = .zero, connect: Duration = .zero, tlsHandshake: Duration = .zero,
                firstByte: Duration = .zero, total: Duration = .zero, httpVersion: String = "", downloadedBytes: Int64 = 0) {
        self.dnsLookup = dnsLookup
        self.connect = connect
        self.tlsHandshake = tlsHandshake
        self.firstByte = firstByte
        self.total = total
        self.httpVersion = httpVersion
        self.downloadedBytes = downloadedBytes
    }
}

/// Part of a response body as it came off the network, with the monotonic
/// instant it arrived.
public struct BodyChunk: Sendable {
    public var bytes: [UInt8]
    public var arrival: ContinuousClock.Instant

    public init(bytes: [UInt8], arrival: ContinuousClock.Instant = .now) {
        self.bytes = bytes
        self.arrival = arrival
    }
}
