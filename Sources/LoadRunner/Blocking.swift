import Dispatch

/// Runs blocking work (libpq, waiting for a process) off the concurrency
/// pool, whose one thread per core would otherwise stall every stream the
/// runner reads (false latency). Dispatch's threads are reused, so the
/// per-thread state libpq and OpenSSL keep is not made again for each call.
func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global(qos: .utility).async { continuation.resume(returning: work()) }
    }
}
