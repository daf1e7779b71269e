import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird

/// `GET /api/v1/link-preview?url=…`: the backend fetches a link a message names, as chat apps do to
/// unfurl it. The suite's lure case asks for one first: it is the proof that the backend can reach the
/// lure at all, so that "it never fetched a token's jku" means something. A reference stack reaches
/// out to nothing but loopback.
struct LinkPreviewController: Sendable {
    let authenticator: Authenticator

    func addRoutes(to router: Router<AppContext>) {
        router.get("/api/v1/link-preview", use: preview)
    }

    @Sendable func preview(_ request: Request, context: AppContext) async throws -> Response {
        _ = try await authenticator.authenticate(request, context: context)
        guard let text = request.uri.queryParameters.get("url"), let url = URL(string: text),
              ["http", "https"].contains(url.scheme ?? ""), let host = url.host, ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host)
        else { throw APIError.invalid("url must be an http(s) address on loopback") }
        var fetch = URLRequest(url: url)
        fetch.timeoutInterval = 3
        do {
            let (body, answer) = try await URLSession.shared.data(for: fetch)
            return JSON.response(.ok, ["url": text, "status": (answer as? HTTPURLResponse)?.statusCode ?? 0, "bytes": body.count])
        } catch {
            throw APIError(.badGateway, "upstream.unreachable", "the link could not be fetched", hint: "Check that the address answers.")
        }
    }
}
