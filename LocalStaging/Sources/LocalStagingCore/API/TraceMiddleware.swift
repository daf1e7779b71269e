import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The outermost middleware and the one place error bodies are written:
/// it gives every request a trace id (the caller's `X-Trace-Id`, or a new
/// UUID), echoes it on every response, renders every refusal (the K1 body for
/// the API, GoTrue's bodies for /auth/v1, the gateway's for a bad apikey),
/// and logs each request: a JSON line on stdout, a `request_log` row for
/// API calls and an `api_errors` row for each K1 refusal.
struct TraceMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let store: Store
    var faults: Set<Fault> = []
    /// PERSIST_DELAY_MS: the log rows are written this long after the response's body, not before its head.
    var persistDelay: Duration = .zero
    /// What `/metrics` exports: counted as the answer leaves, whenever the rows are written.
    var metrics: BackendMetrics = BackendMetrics()

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let incoming = request.headers[.traceID].flatMap { $0.isEmpty || $0.count > 128 ? nil : $0 }
        let trace = incoming ?? UUID().uuidString.lowercased()
        context.facts.set { $0.traceID = trace }
        let path = request.uri.path
        let isAPI = path.hasPrefix("/api/")

        var response: Response
        var errorCode: String?
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = Self.k1(error, trace: trace, faults: faults)
            errorCode = error.code
        } catch let error as GoTrueError {
            response = Self.goTrue(error, request: request, ignoringVersion: faults.contains(.errorShapeIgnoresVersion))
            errorCode = error.code
        } catch let error as GatewayError {
            response = JSON.response(.unauthorized, ["message": error.message])
            errorCode = "invalid_apikey"
        } catch let error as EngineIOError {
            response = try error.response(from: request, context: context)
            errorCode = "engineio.\(error.code)"
        } catch let error as any HTTPResponseError where faults.contains(.unknownRouteOK) && error.status == .notFound {
            response = JSON.response(.ok, [:])
        } catch let error as any HTTPResponseError {
            let mapped = Self.map(error.status)
            response = Self.k1(mapped, trace: trace, faults: faults)
            errorCode = mapped.code
        } catch {
            context.logger.error("unhandled error: \(error)")
            let failure = APIError(.internalServerError, "internal_error", "the server failed", hint: "Try again; report the trace id if it persists.")
            response = Self.k1(failure, trace: trace, faults: faults)
            errorCode = failure.code
        }
        response.headers[.traceID] = faults.contains(.traceIDNotEchoed) && incoming != nil ? UUID().uuidString.lowercased() : trace

        let facts = context.facts.current
        let duration = Int((ContinuousClock.now - started) / .milliseconds(1))
        let route = context.endpointPath ?? path
        let status = Int(response.status.code)
        Self.printLog(trace: trace, facts: facts, route: "\(request.method) \(route)", status: status, duration: duration, errorCode: errorCode)
        if isAPI {
            metrics.request(route: "\(request.method) \(route)", status: status, userType: facts.userType)
            if status >= 400, let errorCode { metrics.refusal(status: status, code: errorCode) }
            let (store, faults, logger, errorCode) = (store, faults, context.logger, errorCode)
            let log: @Sendable () async -> Void = {
                do {
                    try await store.logRequest(trace: trace, user: facts.userID,
                                               userType: faults.contains(.requestLogRegistered) && facts.userType != nil ? "registered" : facts.userType,
                                               route: "\(request.method) \(route)", status: status, duration: duration, errorCode: errorCode)
                    if status >= 400, let errorCode, !(status == 429 && faults.contains(.noAPIErrorFor429)),
                       !(status == 422 && faults.contains(.noAPIErrorFor422)) {
                        try await store.logError(status: status, code: errorCode, trace: trace, user: facts.userID, route: "\(request.method) \(route)")
                    }
                } catch {
                    logger.error("request log failed: \(String(reflecting: error))")
                }
            }
            if persistDelay > .zero {
                // As a background task after the reply does: the rows land once the body is written, and later.
                let (delay, body) = (persistDelay, response.body)
                response.body = ResponseBody(contentLength: body.contentLength) { writer in
                    defer { Task { try? await Task.sleep(for: delay); await log() } }
                    try await body.write(writer)
                }
            } else {
                // Awaited, so a suite that reads the tables after the answer finds the rows.
                await log()
            }
        }
        return response
    }

    static func k1(_ error: APIError, trace: String, faults: Set<Fault> = []) -> Response {
        var headers = HTTPFields()
        if error.status == .unauthorized, !faults.contains(.noWWWAuthenticate) { headers[.wwwAuthenticate] = #"Bearer error="invalid_token""# }
        if let retry = error.retryAfter { headers[.retryAfter] = String(retry) }
        var body: [String: Any] = ["status": Int(error.status.code), "code": error.code, "message": error.message, "trace_id": trace, "hint": error.hint]
        if faults.contains(.k1WithoutTraceID) || (faults.contains(.traceIDMissingOn429) && error.status == .tooManyRequests) { body["trace_id"] = nil }
        return JSON.response(error.status, body, headers: headers)
    }

    /// GoTrue picks its body by `X-Supabase-Api-Version`: the 2024-01-01 shape with it, the older one without.
    static func goTrue(_ error: GoTrueError, request: Request, ignoringVersion: Bool = false) -> Response {
        var headers = HTTPFields()
        headers[.supabaseErrorCode] = error.code
        if let version = request.headers[.supabaseAPIVersion], !ignoringVersion {
            headers[.supabaseAPIVersion] = version
            return JSON.response(error.status, ["code": error.code, "message": error.message], headers: headers)
        }
        return JSON.response(error.status, ["code": Int(error.status.code), "error_code": error.code, "msg": error.message], headers: headers)
    }

    static func map(_ status: HTTPResponse.Status) -> APIError {
        switch status {
        case .notFound, .methodNotAllowed: .notFound
        case .contentTooLarge: .invalid("the body is over 64 KiB")
        case .badRequest: .invalid("the request could not be read")
        default: APIError(status, "http.\(status.code)", status.reasonPhrase, hint: "Check the request.")
        }
    }

    private static func printLog(trace: String, facts: RequestFacts.Values, route: String, status: Int, duration: Int, errorCode: String?) {
        let line: [String: Any] = [
            "trace_id": trace, "user_id": facts.userID?.uuidString.lowercased() ?? NSNull(), "user_type": facts.userType ?? NSNull(),
            "route": route, "status": status, "duration_ms": duration, "err_code": errorCode ?? NSNull(),
        ]
        Log.line(line)
    }
}

extension HTTPField.Name {
    static let traceID = HTTPField.Name("X-Trace-Id")!
    static let supabaseErrorCode = HTTPField.Name("x-sb-error-code")!
    static let supabaseAPIVersion = HTTPField.Name("X-Supabase-Api-Version")!
    static let apikey = HTTPField.Name("apikey")!
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
