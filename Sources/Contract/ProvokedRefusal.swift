import Protocols
import Transport
/// A refusal the suite provoked, as its answer had it: the database must
/// hold an `api_errors` row with the same trace id, status and code (§5).
public struct ProvokedRefusal: Sendable, Equatable {
    public let traceID: String
    public let status: Int
    public let code: String

    public init(traceID: String, status: Int, code: String) {
        self.traceID = traceID
        self.status = status
        self.code = code
    }

    /// The refusal an answer is, or nil when it is not one (or has no K1 code).
    public init?(traceID: String, response: HTTPResponse) {
        guard response.status >= 400, let code = JSONValue.parse(response.body)?["code"]?.string else { return nil }
        self.init(traceID: traceID, status: response.status, code: code)
    }

    /// The `:refusals` parameter of the SQL assertions: `[{"trace_id","status","code"}]`.
    public static func json(_ refusals: [ProvokedRefusal]) -> String {
        JSONValue.array(refusals.map { .object(["trace_id": .string($0.traceID), "status": .number(Double($0.status)), "code": .string($0.code)]) }).text
    }
}
