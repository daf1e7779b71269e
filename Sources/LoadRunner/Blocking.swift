import Foundation

/// Runs blocking work (libpq, waiting for a process) on a thread of its own:
/// the concurrency pool has one thread per core, and a blocked pool stalls
/// every stream the runner is reading, which would show up as false latency.
func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}
