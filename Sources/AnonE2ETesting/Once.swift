/// A value computed once, on first use, and shared by the cases of a suite
/// (one streamed message that several criteria read, say).
///
/// When the computation fails, every caller gets an error of its own that
/// names the fixture and the cause: an error Swift Testing has already recorded
/// (what `#require` throws) would make the later callers pass without a word.
public actor Once<Value: Sendable> {
    private var task: Task<Value, any Error>?
    private let name: String

    /// - Parameter name: what the value is, for the error every caller gets when it cannot be had.
    public init(_ name: String) { self.name = name }

    public func value(_ make: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task = self.task ?? Task { try await make() }
        self.task = task
        do { return try await task.value } catch {
            throw FixtureFailed(fixture: name, cause: String(describing: error))
        }
    }
}

/// A shared fixture could not be had; thrown to each case that needs it.
public struct FixtureFailed: Error, CustomStringConvertible {
    public let fixture: String
    public let cause: String

    public init(fixture: String, cause: String) {
        self.fixture = fixture
        self.cause = cause
    }

    public var description: String { "the shared fixture '\(fixture)' could not be had: \(cause)" }
}
