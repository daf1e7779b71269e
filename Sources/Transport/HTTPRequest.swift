/// One HTTP request as the transport sends it. Built only by a
/// `RequestTemplate` (its initialiser is internal to the transport), so every
/// request carries its target's TLS, encodings and deadlines.
public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE", head = "HEAD", options = "OPTIONS"
    }

    /// Which HTTP version to ask for. `automatic` is HTTP/2 over TLS when the
    /// server offers it and HTTP/1.1 otherwise.
    public enum Version: Sendable {
        case automatic, http1_1, http2PriorKnowledge
    }

    public var method: Method
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    public var deadlines: Deadlines
    public var version: Version
    public var tls: TLSOptions
    /// `Accept-Encoding` as sent; libcurl decodes what comes back. Nil asks for no encoding.
    public var acceptEncoding: String?

    init(
        _ method: Method = .get,
        _ url: String,
        headers: HTTPHeaders = [:],
        body: [UInt8]? = nil,
        deadlines: Deadlines = .init(),
        version: Version = .automatic,
        tls: TLSOptions = .init(),
        acceptEncoding: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.deadlines = deadlines
        self.version = version
        self.tls = tls
        self.acceptEncoding = acceptEncoding
    }
}

/// Every network operation has a deadline, one per phase, each from the start
/// of the transfer: `connect` (TCP and TLS), `head` (the status line and
/// headers), `total` (the whole body: it holds while bytes keep flowing and
/// while the consumer holds the transfer paused). `idle` is the longest
/// silence allowed once connected, counting only time in which the server
/// owes bytes: while the consumer holds the transfer paused, it stops.
public struct Deadlines: Sendable, Equatable {
    public var connect: Duration
    public var head: Duration?
    public var total: Duration
    public var idle: Duration?

    public init(connect: Duration = .seconds(10), head: Duration? = nil, total: Duration = .seconds(60), idle: Duration? = .seconds(30)) {
        self.connect = connect
        self.head = head
        self.total = total
        self.idle = idle
    }
}

/// TLS verification is on unless a caller turns it off by name. A private CA
/// (`caBundlePath`) and a client certificate for mutual TLS are files in PEM.
public struct TLSOptions: Sendable, Equatable {
    public var verifyPeer: Bool
    public var caBundlePath: String?
    public var clientCertificatePath: String?
    public var clientKeyPath: String?

    public init(verifyPeer: Bool = true, caBundlePath: String? = nil, clientCertificatePath: String? = nil, clientKeyPath: String? = nil) {
        self.verifyPeer = verifyPeer
        self.caBundlePath = caBundlePath
        self.clientCertificatePath = clientCertificatePath
        self.clientKeyPath = clientKeyPath
    }
}
