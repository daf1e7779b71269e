import Foundation

/// The frames of one reply as the generator produces them. The HTTP response
/// reads from it, so a client that reconnects with `Last-Event-ID` can read on
/// from where it was cut, and the reply completes (and is stored) even when
/// no client is attached.
public actor StreamRecord {
    public let owner: UUID
    private var frames: [SSEFrame] = []
    private var finished = false
    /// When the last frame was added: a ping timer that resets on frames counts from here.
    public private(set) var lastAppend = ContinuousClock.now
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(owner: UUID) { self.owner = owner }

    public func append(_ frame: SSEFrame) {
        guard !finished else { return }
        frames.append(frame)
        lastAppend = .now
        wake()
    }

    public func finish() {
        finished = true
        wake()
    }

    public var isFinished: Bool { finished }
    /// How many frames the reply has so far.
    public var count: Int { frames.count }

    /// The frame at `index`, waiting for it; nil once the reply is over.
    public func frame(at index: Int) async -> SSEFrame? {
        while index >= frames.count {
            if finished { return nil }
            await withCheckedContinuation { waiters.append($0) }
        }
        return frames[index]
    }

    /// Where to continue after the frame with id `lastID`; nil when no frame has it.
    public func index(after lastID: Int) -> Int? {
        frames.firstIndex { $0.id == lastID }.map { $0 + 1 }
    }

    private func wake() {
        let waiting = waiters
        waiters.removeAll()
        waiting.forEach { $0.resume() }
    }
}

/// Live and recently finished replies by trace id, for resume.
public actor StreamRegistry {
    private var records: [String: StreamRecord] = [:]

    public init() {}

    public func add(_ record: StreamRecord, trace: String) {
        records[trace] = record
    }

    public func record(_ trace: String) -> StreamRecord? { records[trace] }

    /// Forgets a finished stream once it has been resumable for `retention`.
    public func retire(_ trace: String, _ record: StreamRecord, after retention: Duration) async {
        try? await Task.sleep(for: retention)
        if records[trace] === record { records[trace] = nil }
    }
}
