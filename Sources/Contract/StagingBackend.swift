import Foundation
import Evidence
import Protocols
import Transport

/// The backend under test in contract terms: where its routes are (paths from
/// the configuration, with CONTRACT.md's defaults) and clients for them.
public struct StagingBackend: Sendable {
    public let configuration: Configuration
    /// Masks the secrets the backend hands out (refresh tokens, passwords) from then on.
    public let redactor: Redactor
    public let http: HTTPClient
    /// Every message stream read, for the rules that hold on all of them (the heartbeat).
    public let ledger: StreamLedger
    /// How many message streams are open at once, and the most so far.
    public let inFlight: StreamsInFlight
    /// Told of every message stream read (the suite records its phase timings).
    public let onStream: (@Sendable (MessageStream) -> Void)?
    /// Told of the trace id of every message request built (the suite keeps them, so rows no request made can be found).
    public let onMessage: (@Sendable (String) -> Void)?
    /// The stream's wire format (`STREAM_DIALECT`), and the request body that goes with it.
    public let dialect: any StreamDialect
    public let requestBody: MessageRequestBody

    public init(configuration: Configuration, redactor: Redactor, http: HTTPClient = HTTPClient(), ledger: StreamLedger = StreamLedger(),
                inFlight: StreamsInFlight = StreamsInFlight(), onStream: (@Sendable (MessageStream) -> Void)? = nil,
                onMessage: (@Sendable (String) -> Void)? = nil) {
        self.configuration = configuration
        self.redactor = redactor
        self.http = http
        self.ledger = ledger
        self.inFlight = inFlight
        self.onStream = onStream
        self.onMessage = onMessage
        // `Configuration.validate` has read the dialect already; a configuration never validated falls back to native.
        dialect = (try? configuration.dialect()) ?? NativeDialect()
        requestBody = MessageRequestBody(configuration: configuration)
    }

    public var supabaseURL: String { configuration.text(.supabaseURL).trimmingSuffix { $0 == "/" } }
    public var apiBase: String { configuration.text(.apiBase).trimmingSuffix { $0 == "/" } }
    /// The issuer every access token must carry (`JWT_ISSUER`); nil when the project sends none.
    public var issuer: String? {
        switch configuration.text(.jwtIssuer) {
        case "": supabaseURL + "/auth/v1"
        case "none": nil
        case let declared: declared
        }
    }

    public var auth: GoTrueClient {
        GoTrueClient(baseURL: supabaseURL, anonKey: configuration.text(.supabaseAnonKey), http: http, template: template, secrets: redactor,
                     captchaToken: configuration[.captchaToken])
    }

    public var messages: MessagesAPI { MessagesAPI(backend: self) }

    /// The staging's Prometheus, when one is configured (`ANON_E2E_PROMETHEUS_URL`).
    public var prometheus: PrometheusAPI? {
        configuration[.prometheusURL].map { PrometheusAPI(baseURL: $0, http: http, template: template) }
    }

    public func url(_ key: ConfigurationKey, id: String? = nil) -> String {
        let path = configuration.text(key)
        return apiBase + (id.map { path.replacingOccurrences(of: "{id}", with: $0) } ?? path)
    }

    /// Deadlines for a request that is not a message (auth, policy, health), from `ANON_E2E_REQUEST_TIMEOUT`.
    public var deadlines: Deadlines {
        let total = configuration.duration(.requestTimeout)
        return Deadlines(connect: min(total, connectTimeout), head: total, total: total, idle: total)
    }

    /// Deadlines for a message, streamed or not: a model answers in its own time,
    /// so they come from the reply's phases (`ANON_E2E_*_TIMEOUT`).
    public var messageDeadlines: Deadlines {
        Deadlines(connect: connectTimeout, head: configuration.duration(.firstByteTimeout),
                  total: replyTimeout, idle: configuration.duration(.idleTimeout))
    }

    public var connectTimeout: Duration { configuration.duration(.connectTimeout) }
    /// The longest a stream may take from the request to its `final`.
    public var replyTimeout: Duration { configuration.duration(.replyTimeout) }
    /// The longest a stream may take from the request to its first token.
    public var firstTokenTimeout: Duration { configuration.duration(.firstTokenTimeout) }

    /// A prompt whose reply outlasts a ping interval on the backend (`ANON_E2E_LONG_PROMPT`).
    public var longPrompt: String { configuration.text(.longPrompt) }
    /// The request that makes the backend fetch a URL (`ANON_E2E_LURE_CONTROL`), if the team names one.
    public var lureControl: LureControl? { configuration[.lureControl].flatMap(LureControl.init) }
    /// A prompt whose reply outgrows the socket buffers (`ANON_E2E_LARGE_REPLY_PROMPT`), if the team has one.
    public var largeReplyPrompt: String? { configuration[.largeReplyPrompt] }

    /// What every request to the target carries (TLS, encodings, deadlines): the one place it is decided.
    public var template: RequestTemplate {
        let encodings = configuration.text(.acceptEncoding)
        return RequestTemplate(tls: TLSOptions(verifyPeer: true, caBundlePath: configuration[.caBundle],
                                               clientCertificatePath: configuration[.clientCertificate], clientKeyPath: configuration[.clientKey]),
                               acceptEncoding: encodings == "identity" ? nil : encodings, deadlines: deadlines)
    }

    /// Reads of what a message persisted wait for it this long (`ANON_E2E_PERSIST_TIMEOUT`).
    public var persisted: PersistedRead { PersistedRead(timeout: configuration.duration(.persistTimeout)) }

    /// A request to the API with the headers every case sends.
    public func request(_ method: HTTPRequest.Method, _ url: String, token: String?, traceID: String?, json: String? = nil,
                        accept: String = "application/json") -> HTTPRequest {
        var headers: HTTPHeaders = ["Accept": accept]
        if json != nil { headers.add("Content-Type", "application/json") }
        if let token { headers.add("Authorization", "Bearer \(token)") }
        return template.request(method, url, headers: headers, body: json.map { Array($0.utf8) }, traceID: traceID)
    }

    public static func newTraceID() -> String { UUID().uuidString.lowercased() }
}
