import Foundation
import Hummingbird

/// The policy gates of CONTRACT.md §4 and the health check of §7.
struct PolicyController: Sendable {
    let settings: Settings
    let store: Store
    let authenticator: Authenticator

    func addRoutes(to router: Router<AppContext>) {
        let health = settings.has(.healthDegraded) ? "degraded" : "ok"
        router.get("/api/v1/healthz") { _, _ in JSON.response(.ok, ["status": health]) }
        router.post("/api/v1/conversations/:id/share", use: share)
        router.get("/api/v1/admin/**", use: admin)
        router.post("/api/v1/messages/batch", use: batch)
    }

    @Sendable func share(_ request: Request, context: AppContext) async throws -> Response {
        let user = try await authenticator.authenticate(request, context: context)
        if user.isAnonymous, !settings.has(.shareAllowedToAnonymous) {
            throw APIError(.forbidden, settings.has(.anonymousCodeForbidden) ? "policy.forbidden" : "policy.anonymous_forbidden",
                           "anonymous users cannot share conversations", hint: APIError.upgradeHint)
        }
        if settings.has(.shareAllowedToAnonymous), user.isAnonymous {
            return JSON.response(.ok, ["share_url": "\(settings.publicURL)/share/any"])
        }
        if settings.has(.registeredShareRefused) {
            throw APIError(.forbidden, "policy.anonymous_forbidden", "sharing is disabled", hint: APIError.upgradeHint)
        }
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
              try await store.conversationOwner(id) == user.userID else { throw APIError.notFound }
        return JSON.response(.ok, ["share_url": "\(settings.publicURL)/share/\(id.uuidString.lowercased())"])
    }

    @Sendable func admin(_ request: Request, context: AppContext) async throws -> Response {
        let user = try await authenticator.authenticate(request, context: context)
        let admitted = user.email.map { settings.adminEmails.contains($0.lowercased()) } ?? false
        guard admitted || (settings.has(.adminOpenToRegistered) && !user.isAnonymous) else {
            throw APIError(.forbidden, settings.has(.adminCodeForbidden) ? "policy.forbidden" : "policy.admin_only", "administrators only",
                           hint: user.isAnonymous ? APIError.upgradeHint : "Ask an administrator for access.")
        }
        return JSON.response(.ok, ["admin": true, "path": request.uri.path])
    }

    @Sendable func batch(_ request: Request, context: AppContext) async throws -> Response {
        let user = try await authenticator.authenticate(request, context: context)
        if user.isAnonymous, !settings.has(.batchAcceptedFromAnonymous) {
            if settings.batchPolicy == 429 {
                throw APIError(.tooManyRequests, "rate_limit.qps", "batch messages are not in the anonymous quota",
                               hint: APIError.upgradeHint, retryAfter: 60)
            }
            throw APIError(.forbidden, "policy.anonymous_forbidden", "anonymous users cannot send batches",
                           hint: settings.has(.batchHintTryLater) ? "Try later." : APIError.upgradeHint)
        }
        var request = request
        let body = JSON.object(try await request.collectBody(upTo: 64 * 1024))
        let count = (body?["items"] as? [Any])?.count ?? 0
        return JSON.response(.accepted, ["accepted": count])
    }
}
