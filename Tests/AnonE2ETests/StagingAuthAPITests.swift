import Foundation
import Testing
import AnonE2ETesting
import Contract
import Protocols
import Transport

/// CONTRACT §1: the auth API itself, as the official clients meet it: the
/// gateway's apikey check, GoTrue's error bodies, sign-out, and the JWKS.
@Suite(.requires(.auth, .api), .anonymousUsers, .replies(1), .tags(.auth))
struct StagingAuthAPITests {
    let backend = Staging.backend

    func signup(_ body: String?, apikey: String?, version: Bool = true) async throws -> HTTPResponse {
        var request = backend.template.request(.post, backend.supabaseURL + "/auth/v1/signup", body: body.map { Array($0.utf8) })
        if let apikey { request.headers.add("apikey", apikey) }
        if version { request.headers.add("X-Supabase-Api-Version", "2024-01-01") }
        request.headers.add("Content-Type", "application/json")
        return try await backend.http.send(request)
    }

    @Test("a missing or wrong apikey is the gateway's 401, with its message", .rules("S1.1"))
    func apikeyChecked() async throws {
        let configuration = Staging.configuration
        guard configuration.bool(.apikeyChecked) else {
            // Probing would sign two users up on a gateway that lets them through.
            try Staging.skip("not exercised: the gateway does not check the apikey (APIKEY_CHECKED=false, SUPABASE_DEPLOYMENT=\(configuration.deployment.rawValue))")
        }
        let missing = try await signup("{}", apikey: nil)
        let wrong = try await signup("{}", apikey: "sb_publishable_wrong_\(UUID().uuidString.prefix(8))")
        let (missingMessage, wrongMessage) = (configuration.text(.apikeyMissingMessage), configuration.text(.apikeyWrongMessage))
        #expect(missing.status == 401, "no apikey: \(missing.status) \(missing.text.prefix(200))")
        #expect(JSONValue.parse(missing.body)?["message"]?.string == missingMessage, "no apikey, expected '\(missingMessage)': \(missing.text.prefix(200))")
        #expect(wrong.status == 401, "a wrong apikey: \(wrong.status) \(wrong.text.prefix(200))")
        #expect(JSONValue.parse(wrong.body)?["message"]?.string == wrongMessage, "a wrong apikey, expected '\(wrongMessage)': \(wrong.text.prefix(200))")
    }

    @Test("an empty or non-JSON sign-up body is 400 bad_json, in the shape X-Supabase-Api-Version asks for, with x-sb-error-code",
          .rules("S1.2", "S1.10"))
    func badJSON() async throws {
        let key = Staging.configuration[.supabaseAnonKey]
        for body in [nil, "not json"] as [String?] {
            let current = try await signup(body, apikey: key)
            let old = try await signup(body, apikey: key, version: false)
            let what = body == nil ? "an empty body" : "a non-JSON body"
            #expect(current.status == 400 && old.status == 400, "\(what): \(current.status), \(old.status)")
            #expect(current.headers["x-sb-error-code"] == "bad_json" && old.headers["x-sb-error-code"] == "bad_json",
                    "\(what): x-sb-error-code \(current.headers["x-sb-error-code"] ?? "none"), \(old.headers["x-sb-error-code"] ?? "none")")
            let new = JSONValue.parse(current.body), legacy = JSONValue.parse(old.body)
            #expect(new?["code"]?.string == "bad_json" && new?["message"]?.string != nil, "\(what), 2024-01-01 shape: \(current.text.prefix(200))")
            #expect(current.headers["X-Supabase-Api-Version"] == "2024-01-01", "\(what): the version header is not echoed")
            #expect(legacy?["code"]?.int == 400 && legacy?["error_code"]?.string == "bad_json" && legacy?["msg"]?.string != nil,
                    "\(what), the older shape: \(old.text.prefix(200))")
        }
    }

    @Test("sign-out answers 204 with no body; then GET /auth/v1/user is 403 session_not_found", .rules("S1.7", "S1.6", "S1.15"))
    func signOut() async throws {
        let signedOut = try await Staging.signedOutSession()
        let (session, logout) = (signedOut.session, signedOut.logout)
        #expect(logout.status == 204, "sign-out answered \(logout.status)")
        #expect(logout.body.isEmpty, "sign-out answered a body: \(logout.text.prefix(200))")
        let error = await #expect(throws: GoTrueError.self) { _ = try await backend.auth.user(accessToken: session.accessToken) }
        #expect(error?.status == 403 && error?.code == "session_not_found", "GET /user after sign-out: \(String(describing: error))")
    }

    @Test("the JWKS: each key has kid, alg, use sig, key_ops [verify], no private member; Cache-Control with a max-age", .rules("S1.8"))
    func jwksShape() async throws {
        let response = try await backend.http.send(backend.template.request(.get, backend.supabaseURL + "/auth/v1/.well-known/jwks.json"))
        #expect(response.status == 200)
        #expect(response.headers["Cache-Control"]?.contains("max-age=") == true, "Cache-Control: \(response.headers["Cache-Control"] ?? "none")")
        let keys = try #require(JSONValue.parse(response.body)?["keys"]?.array, "no keys array: \(response.text.prefix(200))")
        if keys.isEmpty {
            // A project still on the legacy shared secret publishes no key: there is no key whose shape could be checked.
            try Staging.skip("the JWKS is {\"keys\":[]}: the project signs with the legacy shared secret only, so no key's shape was checked")
        }
        for key in keys {
            let kid = key["kid"]?.string ?? "?"
            #expect(key["kid"]?.string?.isEmpty == false && key["alg"]?.string != nil, "key \(kid): kid and alg")
            #expect(key["use"]?.string == "sig", "key \(kid): use \(key["use"]?.text ?? "missing")")
            #expect(key["key_ops"] == ["verify"], "key \(kid): key_ops \(key["key_ops"]?.text ?? "missing")")
            for member in ["d", "p", "q", "dp", "dq", "qi", "k"] {
                #expect(key[member] == nil, "key \(kid) publishes the private member \(member)")
            }
        }
    }

    @Test("the project's settings allow what the run needs: anonymous sign-ins on, sign-ups allowed (GET /auth/v1/settings)", .rules("S1.17"))
    func preconditions() async throws {
        let settings = try await backend.auth.settings()
        let account = Staging.configuration.registeredAccount != nil
        for unmet in AuthPreconditions(settings: settings, hasRegisteredAccount: account).unmet { Issue.record(Comment(rawValue: unmet)) }
    }
}
