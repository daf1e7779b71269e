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
            // A rule that cannot be checked here skips every case that needs the fixture, never fails them.
            if let reason = (error as? SkipsTheCase)?.skipReason { throw FixtureSkipped(fixture: name, reason: reason) }
            throw FixtureFailed(fixture: name, cause: String(describing: error))
        }
    }
}

/// An error that means the case's rule cannot be checked here (the run's
/// sign-ins are spent, say): the case is skipped with the reason.
protocol SkipsTheCase: Error {
    var skipReason: String? { get }
}

/// A shared fixture that could not be had for a reason that skips its cases;
/// `.anonymousUsers` turns it into each case's skip.
struct FixtureSkipped: SkipsTheCase, CustomStringConvertible {
    let fixture: String
    let reason: String

    var skipReason: String? { reason }
    var description: String { "the shared fixture '\(fixture)' could not be had: \(reason)" }
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
