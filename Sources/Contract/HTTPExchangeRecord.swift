import Transport
/// A request and its answer as an artifact: what was sent, what came, how
/// long each phase took, and the verdicts drawn from it.
public struct HTTPExchangeRecord: Codable, Sendable {
    public struct Request: Codable, Sendable {
        public var method: String
        public var url: String
        public var headers: [String: [String]]
        public var body: String?
    }

    public struct Response: Codable, Sendable {
        public var status: Int
        public var headers: [String: [String]]
        public var body: String
        public var timingsMs: [String: Double]?
    }

    public var request: Request
    public var response: Response?
    public var error: String?
    public var verdicts: [Verdict]

    public init(request: HTTPRequest, response: HTTPResponse?, error: (any Error)? = nil, verdicts: [Verdict] = []) {
        var sent = request.headers
        if let encodings = request.acceptEncoding { sent.add("Accept-Encoding", encodings) }
        self.request = Request(method: request.method.rawValue, url: request.url, headers: Self.group(sent),
                               body: request.body.map { String(decoding: $0, as: UTF8.self) })
        self.response = response.map { response in
            Response(status: response.status, headers: Self.group(response.headers), body: response.text,
                     timingsMs: [
                        "dns": response.timings.dnsLookup.milliseconds, "connect": response.timings.connect.milliseconds,
                        "tls": response.timings.tlsHandshake.milliseconds, "first_byte": response.timings.firstByte.milliseconds,
                        "total": response.timings.total.milliseconds,
                     ].mapValues(Double.init))
        }
        self.error = error.map { String(describing: $0) }
        self.verdicts = verdicts
    }

    private static func group(_ headers: HTTPHeaders) -> [String: [String]] {
        Dictionary(grouping: headers.fields, by: { $0.name.lowercased() }).mapValues { $0.map(\.value) }
    }
}
