import Foundation
import Contract
import Protocols

/// The loop's calls as a Postman v2.1 collection, for teams with a Newman
/// regression job: anonymous sign-in, a message answered as JSON, and each
/// policy refusal with its status and K1 checks as test scripts. The scripts
/// are the expectations: `replayable` reads them back, so what a replay
/// checks is what the exported file says.
public enum PostmanCollection {
    /// One request of the collection and what the contract expects of it.
    public struct Call: Sendable, Equatable {
        public var name: String
        public var method: String
        /// With `{{VARIABLES}}`: SUPABASE_URL, API_BASE, SUPABASE_ANON_KEY, access_token, conversation_id, trace_id.
        public var url: String
        public var headers: [Header]
        public var body: String?
        public var status: Int
        /// The K1 code of a refusal (nil for a success).
        public var code: String?
        public var anonymousRefusal = false
        /// Response JSON keys saved as variables for the calls after it.
        public var saves: [String] = []
        /// Response JSON keys that must be present (a success).
        public var keys: [String] = []
    }

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public static let schema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

    /// The calls, with the backend's routes and codes from the configuration.
    public static func calls(_ configuration: Configuration) -> [Call] {
        func path(_ key: ConfigurationKey, id: String = "{{conversation_id}}") -> String {
            "{{API_BASE}}" + configuration.text(key).replacingOccurrences(of: "{id}", with: id)
        }
        let json = Header(name: "Content-Type", value: "application/json")
        let accept = Header(name: "Accept", value: "application/json")
        let trace = Header(name: "X-Trace-Id", value: "{{trace_id}}")
        let bearer = Header(name: "Authorization", value: "Bearer {{access_token}}")
        let message = #"{"messages":[{"role":"user","content":"Say hello in one short sentence."}]}"#
        return [
            Call(name: "anonymous sign-in", method: "POST", url: "{{SUPABASE_URL}}/auth/v1/signup",
                 headers: [Header(name: "apikey", value: "{{SUPABASE_ANON_KEY}}"), json], body: "{}", status: 200,
                 saves: ["access_token"], keys: ["access_token", "refresh_token", "expires_in", "user"]),
            Call(name: "a message answered as JSON", method: "POST", url: path(.messagesPath),
                 headers: [bearer, json, accept, trace], body: message, status: 200,
                 saves: ["conversation_id"], keys: ["content", "message_id", "conversation_id", "trace_id"]),
            Call(name: "no token: 401", method: "POST", url: path(.messagesPath), headers: [json, accept, trace], body: message,
                 status: 401, code: configuration.code(.missingToken)),
            Call(name: "a malformed token: 401", method: "POST", url: path(.messagesPath),
                 headers: [Header(name: "Authorization", value: "Bearer not-a-jwt"), json, accept, trace], body: message,
                 status: 401, code: configuration.code(.malformedToken)),
            Call(name: "an anonymous user may not share: 403", method: "POST", url: path(.sharePath), headers: [bearer, accept, trace], body: nil,
                 status: 403, code: configuration.code(.anonymousForbidden), anonymousRefusal: true),
            Call(name: "admin routes are for admins: 403", method: "GET", url: path(.adminPath), headers: [bearer, accept, trace], body: nil,
                 status: 403, code: configuration.code(.adminOnly)),
            Call(name: "a body without messages: 422", method: "POST", url: path(.messagesPath), headers: [bearer, json, accept, trace], body: "{}",
                 status: 422, code: configuration.code(.requestInvalid)),
            Call(name: "an unknown route: 404", method: "GET", url: "{{API_BASE}}/api/v1/no-such-route", headers: [bearer, accept, trace], body: nil,
                 status: 404, code: configuration.code(.notFound)),
        ]
    }

    /// The collection document (Postman v2.1).
    public static func collection(_ calls: [Call]) -> [String: Any] {
        [
            "info": ["name": "AnonE2E: the anonymous loop", "schema": schema,
                     "description": "Exported by anon-e2e export postman. Run in order: sign-in saves access_token, the message saves conversation_id."],
            "item": calls.map(item),
        ]
    }

    /// The environment: names only, no secret value (fill SUPABASE_ANON_KEY in Postman or pass --env-var to Newman).
    public static func environment(_ configuration: Configuration) -> [String: Any] {
        let values: [(String, String, String)] = [
            ("SUPABASE_URL", configuration.text(.supabaseURL), "default"),
            ("API_BASE", configuration.text(.apiBase), "default"),
            ("SUPABASE_ANON_KEY", "", "secret"),
            ("access_token", "", "secret"),
            ("conversation_id", "", "default"),
            ("trace_id", "", "default"),
        ]
        return ["name": "AnonE2E", "values": values.map { ["key": $0.0, "value": $0.1, "type": $0.2, "enabled": true] },
                "_postman_variable_scope": "environment"]
    }

    private static func item(_ call: Call) -> [String: Any] {
        var request: [String: Any] = [
            "method": call.method,
            "header": call.headers.map { ["key": $0.name, "value": $0.value] },
            "url": ["raw": call.url],
        ]
        if let body = call.body { request["body"] = ["mode": "raw", "raw": body, "options": ["raw": ["language": "json"]]] }
        return [
            "name": call.name,
            "request": request,
            "event": [
                ["listen": "prerequest", "script": ["type": "text/javascript", "exec": [#"pm.environment.set("trace_id", require("uuid").v4());"#]]],
                ["listen": "test", "script": ["type": "text/javascript", "exec": script(call)]],
            ],
        ]
    }

    /// The test script: the status, then the K1 body of a refusal or the keys of a success.
    static func script(_ call: Call) -> [String] {
        var lines = [#"pm.test("status \#(call.status)", function () { pm.response.to.have.status(\#(call.status)); });"#]
        if let code = call.code {
            lines += [
                #"pm.test("the K1 body", function () {"#,
                #"  const body = pm.response.json();"#,
                #"  [\#(ErrorBodyKeys.all.map { "\"\($0)\"" }.joined(separator: ", "))].forEach(function (key) { pm.expect(body).to.have.property(key); });"#,
                #"  pm.expect(body.status).to.eql(pm.response.code);"#,
                #"  pm.expect(body.code).to.eql(\#(quoted(code)));"#,
                #"  pm.expect(body.trace_id).to.eql(pm.environment.get("trace_id"));"#,
                #"  pm.expect(pm.response.headers.get("X-Trace-Id")).to.eql(body.trace_id);"#,
            ]
            if call.anonymousRefusal { lines.append(#"  pm.expect(body.hint.toLowerCase()).to.match(/sign.?up|upgrade|register/);"#) }
            if call.status == 401 { lines.append(#"  pm.expect(pm.response.headers.get("WWW-Authenticate")).to.include('error="invalid_token"');"#) }
            lines.append("});")
        }
        if !call.keys.isEmpty {
            lines.append(#"pm.test("the answer's keys", function () { const body = pm.response.json(); \#(call.keys.map { "pm.expect(body).to.have.property(\(quoted($0)));" }.joined(separator: " ")) });"#)
        }
        for key in call.saves {
            lines.append(#"pm.environment.set(\#(quoted(key)), pm.response.json()[\#(quoted(key))]);"#)
        }
        return lines
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed])) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    /// The calls as a collection file states them: requests from its items, expectations from its test scripts.
    public static func replayable(_ data: Data) throws -> [Call] {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              (root["info"] as? [String: Any])?["schema"] as? String == schema,
              let items = root["item"] as? [[String: Any]] else {
            throw CollectionError("not a Postman v2.1 collection")
        }
        return try items.map { item in
            guard let name = item["name"] as? String, let request = item["request"] as? [String: Any],
                  let method = request["method"] as? String, let url = (request["url"] as? [String: Any])?["raw"] as? String else {
                throw CollectionError("an item without name, method or url")
            }
            let headers = (request["header"] as? [[String: Any]] ?? []).compactMap { header in
                (header["key"] as? String).map { Header(name: $0, value: header["value"] as? String ?? "") }
            }
            let events = item["event"] as? [[String: Any]] ?? []
            let test = events.first { $0["listen"] as? String == "test" }
            let script = ((test?["script"] as? [String: Any])?["exec"] as? [String] ?? []).joined(separator: "\n")
            guard let status = first(#"to\.have\.status\((\d+)\)"#, in: script).flatMap(Int.init) else {
                throw CollectionError("\(name): its test script states no status")
            }
            return Call(name: name, method: method, url: url, headers: headers,
                        body: (request["body"] as? [String: Any])?["raw"] as? String, status: status,
                        code: first(#"body\.code\)\.to\.eql\("([^"]+)"\)"#, in: script),
                        anonymousRefusal: script.contains("body.hint"),
                        saves: all(#"pm\.environment\.set\("([^"]+)", pm\.response"#, in: script),
                        keys: all(#"pm\.expect\(body\)\.to\.have\.property\("([^"]+)"\);"#, in: script))
        }
    }

    public struct CollectionError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    private static func first(_ pattern: String, in text: String) -> String? { all(pattern, in: text).first }

    private static func all(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
