/// What every request to one target carries, whoever builds it: its TLS (a
/// private CA, a client certificate), the encodings it accepts, its deadlines
/// and the header that carries a trace id. The one way to make an
/// `HTTPRequest` outside the transport, so a client that forgets the target's
/// CA cannot be written: the target's template is built once, from the
/// configuration, and every client of that target is handed it.
public struct RequestTemplate: Sendable, Equatable {
    public var tls: TLSOptions
    /// Sent as `Accept-Encoding` (a browser's fetch sends `gzip, deflate, br`); nil sends none.
    public var acceptEncoding: String?
    public var deadlines: Deadlines
    public var traceHeader: String

    public init(tls: TLSOptions = .init(), acceptEncoding: String? = nil, deadlines: Deadlines = .init(), traceHeader: String = "X-Trace-Id") {
        self.tls = tls
        self.acceptEncoding = acceptEncoding
        self.deadlines = deadlines
        self.traceHeader = traceHeader
    }

    /// A request to this target; `deadlines` replace the template's for one
    /// that runs on another clock (a stream, a long poll).
    public func request(_ method: HTTPRequest.Method = .get, _ url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil,
                        deadlines: Deadlines? = nil, traceID: String? = nil, version: HTTPRequest.Version = .automatic) -> HTTPRequest {
        var headers = headers
        if let traceID { headers.add(traceHeader, traceID) }
        return HTTPRequest(method, url, headers: headers, body: body, deadlines: deadlines ?? self.deadlines, version: version,
                           tls: tls, acceptEncoding: acceptEncoding)
    }

    /// A request whose body is the UTF-8 of `json`, with its content type set.
    public func json(_ method: HTTPRequest.Method = .post, _ url: String, _ json: String, headers: HTTPHeaders = [:],
                     deadlines: Deadlines? = nil, traceID: String? = nil) -> HTTPRequest {
        var headers = headers
        if !headers.contains("Content-Type") { headers.add("Content-Type", "application/json") }
        return request(method, url, headers: headers, body: Array(json.utf8), deadlines: deadlines, traceID: traceID)
    }
}
