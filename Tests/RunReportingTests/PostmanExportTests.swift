import Foundation
import LoopbackServer
import Testing
import Transport
@testable import RunReporting
@testable import Contract

/// `anon-e2e export postman`: the collection states its expectations in its
/// scripts, reads back to the same calls, and a replay of it tells a backend
/// that keeps the contract from one that answers 200 to everything.
@Suite("Postman export and replay")
struct PostmanExportTests {
    static let configuration = Configuration(values: [:])

    @Test("the collection is Postman v2.1, each item's script states its status (and K1 code), and it reads back to the same calls")
    func roundTrip() throws {
        let calls = PostmanCollection.calls(Self.configuration)
        let data = try JSONSerialization.data(withJSONObject: PostmanCollection.collection(calls))
        #expect(try PostmanCollection.replayable(data) == calls)
        #expect(calls.contains { $0.status == 401 && $0.code == "auth.missing_token" })
        #expect(calls.contains { $0.status == 403 && $0.code == "policy.anonymous_forbidden" && $0.anonymousRefusal })
        let environment = try JSONSerialization.data(withJSONObject: PostmanCollection.environment(Configuration(values: ["SUPABASE_ANON_KEY": "sb_publishable_secret_value"])))
        #expect(!String(decoding: environment, as: UTF8.self).contains("sb_publishable_secret_value"), "the environment holds no secret")
        #expect(throws: PostmanCollection.CollectionError.self) { try PostmanCollection.replayable(Data(#"{"info":{}}"#.utf8)) }
    }

    @Test("a replay passes against a backend that keeps the contract and fails every refusal against one that answers 200")
    func replay() async throws {
        let keeper = try LoopbackServer(handler: Self.contractKeeper)
        let yesMan = try LoopbackServer { _, writer in
            _ = writer.head(200, [("Content-Type", "application/json")], contentLength: 2)
            _ = writer.write("{}")
        }
        defer { keeper.stop(); yesMan.stop() }
        let calls = PostmanCollection.calls(Self.configuration)
        func variables(_ server: LoopbackServer) -> [String: String] {
            ["SUPABASE_URL": server.baseURL, "API_BASE": server.baseURL, "SUPABASE_ANON_KEY": "key"]
        }
        let kept = await PostmanReplay(template: RequestTemplate()).run(calls, variables: variables(keeper))
        #expect(kept.count == calls.count)
        for outcome in kept where !outcome.passed {
            Issue.record("\(outcome.call.name): \(outcome.verdicts.filter { !$0.passed }.map(\.check))")
        }
        let broken = await PostmanReplay(template: RequestTemplate()).run(calls, variables: variables(yesMan))
        #expect(broken.filter { $0.call.code != nil }.allSatisfy { !$0.passed })
    }

    /// Just enough of the contract for the collection's calls.
    static let contractKeeper: LoopbackServer.Handler = { request, writer in
        let trace = request.header("x-trace-id") ?? "made-here"
        func json(_ status: Int, _ body: String, _ extra: [(String, String)] = []) {
            _ = writer.head(status, [("Content-Type", "application/json"), ("X-Trace-Id", trace)] + extra, contentLength: body.utf8.count)
            _ = writer.write(body)
        }
        func refuse(_ status: Int, _ code: String) {
            json(status, #"{"status":\#(status),"code":"\#(code)","message":"no","trace_id":"\#(trace)","hint":"sign up to do more"}"#,
                 status == 401 ? [("WWW-Authenticate", #"Bearer error="invalid_token""#)] : [])
        }
        switch (request.method, request.path) {
        case ("POST", "/auth/v1/signup"):
            json(200, #"{"access_token":"a.b.c","refresh_token":"r","expires_in":3600,"user":{}}"#)
        case ("POST", "/api/v1/messages"):
            switch request.header("authorization") {
            case nil: refuse(401, "auth.missing_token")
            case "Bearer not-a-jwt": refuse(401, "auth.malformed_token")
            default:
                if request.body == Array("{}".utf8) { refuse(422, "request.invalid") } else {
                    json(200, #"{"content":"hi","message_id":"m1","conversation_id":"c1","trace_id":"\#(trace)"}"#)
                }
            }
        case ("POST", "/api/v1/conversations/c1/share"): refuse(403, "policy.anonymous_forbidden")
        case ("GET", "/api/v1/admin/users"): refuse(403, "policy.admin_only")
        default: refuse(404, "not_found")
        }
    }
}
