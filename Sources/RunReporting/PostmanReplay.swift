import Foundation
import Contract
import Protocols
import Transport

/// Sends a collection's calls in order, as Newman would, and checks each
/// answer against what the collection's scripts state: the status, the K1
/// body of a refusal, the keys of a success. Saved variables carry over.
public struct PostmanReplay: Sendable {
    public let http: HTTPClient
    /// The target's TLS and encodings; a call may take a minute (a streamed message read whole).
    public let template: RequestTemplate

    public init(http: HTTPClient = HTTPClient(), template: RequestTemplate) {
        self.http = http
        var template = template
        template.deadlines = Deadlines(total: .seconds(60))
        self.template = template
    }

    public struct Outcome: Sendable {
        public let call: PostmanCollection.Call
        public let verdicts: [Verdict]
        public var passed: Bool { !verdicts.isEmpty && verdicts.allSatisfy(\.passed) }
    }

    public func run(_ calls: [PostmanCollection.Call], variables: [String: String]) async -> [Outcome] {
        var variables = variables
        var outcomes: [Outcome] = []
        for call in calls {
            let trace = StagingBackend.newTraceID()
            variables["trace_id"] = trace
            func fill(_ text: String) -> String {
                variables.reduce(text) { $0.replacingOccurrences(of: "{{\($1.key)}}", with: $1.value) }
            }
            let headers = HTTPHeaders(call.headers.map { ($0.name, fill($0.value)) })
            let request = template.request(HTTPRequest.Method(rawValue: call.method) ?? .get, fill(call.url), headers: headers,
                                           body: call.body.map { Array(fill($0).utf8) })
            let response: HTTPResponse
            do { response = try await http.send(request) } catch {
                outcomes.append(Outcome(call: call, verdicts: [Verdict("an answer", passed: false, detail: "\(error)")]))
                continue
            }
            var verdicts = [Verdict("status is \(call.status)", passed: response.status == call.status,
                                    detail: "got \(response.status): \(String(response.text.prefix(200)))")]
            if let code = call.code {
                verdicts += ErrorBodyCheck(status: call.status, code: code, traceID: trace, anonymousRefusal: call.anonymousRefusal).verdicts(response)
            }
            let body = JSONValue.parse(response.body)?.object
            for key in call.keys {
                verdicts.append(Verdict("the answer has \(key)", passed: body?[key] != nil, detail: "body: \(String(response.text.prefix(200)))"))
            }
            for key in call.saves {
                if let value = body?[key]?.string { variables[key] = value }
            }
            outcomes.append(Outcome(call: call, verdicts: verdicts))
        }
        return outcomes
    }
}
