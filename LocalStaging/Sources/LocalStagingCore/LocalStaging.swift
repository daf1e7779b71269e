import Hummingbird
import NIOCore
import Logging

/// Builds the whole backend: one HTTP server for Supabase Auth (`/auth/v1`),
/// the messages API (`/api/v1`) and Socket.IO (`/ws`).
public enum LocalStaging {
    public static func router(settings: Settings, store: Store, keys: SigningKeys) -> Router<AppContext> {
        let verifier = TokenVerifier(keys: keys, issuer: settings.issuer, leeway: settings.has(.leewayZero) ? 0 : settings.leeway, faults: settings.faults)
        let authenticator = Authenticator(verifier: verifier, store: store, checksRevocation: !settings.has(.revocationUnchecked), faults: settings.faults)
        let generator = ReplyGenerator(model: settings.model)
        let router = Router(context: AppContext.self)
        let metrics = BackendMetrics(faults: settings.faults)
        router.middlewares.add(TraceMiddleware(store: store, faults: settings.faults, persistDelay: settings.persistDelay, metrics: metrics))
        // Prometheus' text format, as a scrape asks for it (outside /api: not an API request of its own).
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        GoTrueController(settings: settings, store: store, keys: keys, authenticator: authenticator, signups: SignupLimiter()).addRoutes(to: router)
        MessagesController(settings: settings, store: store, authenticator: authenticator, limiter: RateLimiter(),
                           registry: StreamRegistry(), generator: generator, metrics: metrics).addRoutes(to: router)
        PolicyController(settings: settings, store: store, authenticator: authenticator).addRoutes(to: router)
        LinkPreviewController(authenticator: authenticator).addRoutes(to: router)
        SocketIOController(settings: settings, authenticator: authenticator, generator: generator).addRoutes(to: router)
        return router
    }

    public static func application(settings: Settings) throws -> some ApplicationProtocol {
        let store = try Store(databaseURL: settings.databaseURL, faults: settings.faults, issuer: settings.issuer)
        let keys = try SigningKeys.load(file: settings.signingKeyFile, legacySecret: settings.legacyJWTSecret)
        var logger = Logger(label: "local-staging")
        logger.logLevel = .warning
        if settings.has(.leakThreeMiBAMinute) { Task { await PlantedLeak.grow(bytesPerSecond: 3 * 1024 * 1024 / 60) } }
        return Application(
            router: router(settings: settings, store: store, keys: keys),
            server: .http1(configuration: .init(additionalChannelHandlers: settings.has(.slotKeptOnAbort) ? [] : [ClientGoneHandler()])),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "LocalStaging"),
            services: [store.client],
            logger: logger
        )
    }
}
