import Foundation
import Transport

/// The team's request that makes its backend fetch a URL (`ANON_E2E_LURE_CONTROL`: `METHOD /path` with
/// `{url}`, e.g. `GET /api/v1/link-preview?url={url}`). Sent before the lure case judges "a token's jku
/// is never fetched", it shows the backend can reach the lure at all: without it, a lure nothing can
/// reach would pass.
public struct LureControl: Sendable, Equatable {
    public let method: HTTPRequest.Method
    /// The path under `API_BASE`, with `{url}` where the URL to fetch goes (percent-encoded).
    public let path: String

    /// Nil for a value that is not `METHOD /path` with a `{url}` in the path.
    public init?(_ text: String) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let method = HTTPRequest.Method(rawValue: parts[0].uppercased()),
              parts[1].hasPrefix("/"), parts[1].contains("{url}") else { return nil }
        self.method = method
        self.path = String(parts[1])
    }

    /// The control request asking the backend to fetch `url`.
    public func request(fetching url: String, backend: StagingBackend, token: String, traceID: String) -> HTTPRequest {
        let encoded = url.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? url
        return backend.request(method, backend.apiBase + path.replacingOccurrences(of: "{url}", with: encoded), token: token, traceID: traceID)
    }

    /// The control's verdict: the lure saw a request for `marker` (a path no one else knows).
    public static func verdict(marker: String, fetched paths: [String], answered status: Int) -> Verdict {
        Verdict("the backend fetched \(marker) from the lure when asked (ANON_E2E_LURE_CONTROL)", passed: paths.contains { $0.hasPrefix(marker) },
                detail: "the control was answered \(status) and the lure saw \(paths.isEmpty ? "no request" : paths.joined(separator: ", ")): "
                    + "the backend cannot reach the lure, so nothing it did not fetch could count")
    }
}
