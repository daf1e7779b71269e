/// A value computed once, on first use, and shared by the cases of a suite
/// (one streamed message that several criteria read, say).
public actor Once<Value: Sendable> {
    private var task: Task<Value, any Error>?

    public init() {}

    public func value(_ make: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let task { return try await task.value }
        let task = Task { try await make() }
        self.task = task
        return try await task.value
    }
}
