import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// The request context: Hummingbird's core storage plus the facts a request
/// gathers on its way (trace id, user, error code), which the outermost
/// middleware logs. Contexts are values, so the facts live in a shared box.
public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let facts = RequestFacts()
    public let remoteIP: String
    /// The connection: a stream watches it to free its slot the moment the client goes away.
    public let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteIP = source.channel.remoteAddress?.ipAddress ?? "unknown"
        channel = source.channel
    }
}

public final class RequestFacts: Sendable {
    public struct Values: Sendable {
        public var traceID = ""
        public var userID: UUID?
        public var userType: String?
    }

    private let values = Mutex(Values())

    public var current: Values { values.withLock { $0 } }

    func set(_ change: (inout Values) -> Void) { values.withLock { change(&$0) } }
}
