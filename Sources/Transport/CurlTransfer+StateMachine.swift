extension CurlTransfer {
    /// The life of one transfer as the consumer and the engine thread share it:
    /// waiting for the head, receiving the body (buffered up to a limit, paused
    /// above it), finished with an outcome while buffered chunks drain. Every
    /// transition is a method that returns what the owner must do (resume a
    /// waiter, unpause the transfer); the owner only locks, calls, and acts.
    struct StateMachine {
        typealias HeadWaiter = CheckedContinuation<ResponseHead, any Error>
        typealias BodyWaiter = CheckedContinuation<BodyChunk?, any Error>

        /// What the owner does after a transition, outside the lock.
        enum Action {
            case none
            case resumeHead(HeadWaiter, Result<ResponseHead, any Error>)
            case resumeBody(BodyWaiter, Result<BodyChunk?, any Error>)
            case resumeBoth(HeadWaiter, Result<ResponseHead, any Error>, BodyWaiter, Result<BodyChunk?, any Error>)
        }

        private(set) var head: ResponseHead?
        /// When the engine thread read the head's last line: the head's time on the wire, not the consumer's.
        private(set) var headArrival: ContinuousClock.Instant?
        private var headWaiter: HeadWaiter?
        private var bodyWaiter: BodyWaiter?
        private(set) var outcome: Result<TransferTimings, any Error>?
        private var chunks: [BodyChunk] = []
        private var chunkStart = 0
        /// Bytes of the engine turn in progress, not yet visible to the consumer.
        private var staging: [UInt8] = []
        private var stagingArrival = ContinuousClock.now
        /// What the last turn read: the next one reserves twice that, so it seldom grows (a grown array is copied again).
        private var lastTurnBytes = 0
        private(set) var bufferedBytes = 0
        private(set) var receivedBytes: Int64 = 0
        /// The write callback answered CURL_WRITEFUNC_PAUSE and no resume is on its way.
        private(set) var paused = false
        private var resumeRequested = false

        var hasHead: Bool { head != nil }
        var timings: TransferTimings? {
            if case let .success(timings)? = outcome { return timings }
            return nil
        }

        // MARK: consumer side

        /// The head when it is there (or how the transfer ended without one); otherwise parks the waiter.
        mutating func awaitHead(_ waiter: HeadWaiter, url: String) -> Action {
            if let head { return .resumeHead(waiter, .success(head)) }
            switch outcome {
            case let .failure(error)?: return .resumeHead(waiter, .failure(error))
            // Ended, yet no status line was parsed: waiting longer would wait forever.
            case .success?: return .resumeHead(waiter, .failure(Self.noStatusLine(url)))
            case nil:
                headWaiter = waiter
                return .none
            }
        }

        static func noStatusLine(_ url: String) -> TransportError {
            .failed(url: url, code: -1, message: "the response ended without a status line")
        }

        /// The next buffered chunk or the end; otherwise parks the waiter.
        /// Answers too whether the paused transfer should resume now (the
        /// buffer drained to `lowWater`); a resume is asked for once.
        mutating func nextChunk(_ waiter: BodyWaiter, resumeBelow lowWater: Int) -> (Action, unpause: Bool) {
            var action = Action.none
            if let chunk = popChunk() {
                action = .resumeBody(waiter, .success(chunk))
            } else if let outcome {
                action = .resumeBody(waiter, outcome.map { _ in nil })
            } else {
                bodyWaiter = waiter
            }
            let unpause = paused && !resumeRequested && bufferedBytes <= lowWater
            if unpause { resumeRequested = true }
            return (action, unpause)
        }

        // MARK: engine side

        /// The head has been parsed: a waiting consumer gets it. A second head (a redirect's) is ignored.
        mutating func headReceived(_ head: ResponseHead, at arrival: ContinuousClock.Instant) -> Action {
            guard self.head == nil else { return .none }
            self.head = head
            headArrival = arrival
            guard let waiter = headWaiter else { return .none }
            headWaiter = nil
            return .resumeHead(waiter, .success(head))
        }

        /// Stages the bytes of one read; over the limit it refuses them (the
        /// transfer pauses) and answers false.
        mutating func deliver(_ bytes: UnsafeRawBufferPointer, arrival: ContinuousClock.Instant, limit: Int) -> Bool {
            if bufferedBytes > 0, bufferedBytes + bytes.count > limit {
                paused = true
                resumeRequested = false
                return false
            }
            if staging.isEmpty {
                stagingArrival = arrival
                // Allocated at the first read, not at the hand-off: by then the consumer has
                // usually freed the last chunk, and malloc gives back memory still in cache.
                staging.reserveCapacity(min(max(2 * lastTurnBytes, bytes.count), limit))
            }
            staging.append(contentsOf: bytes)
            bufferedBytes += bytes.count
            receivedBytes += Int64(bytes.count)
            return true
        }

        /// After the reads of one engine turn: what the turn read becomes one
        /// chunk (the staged array itself, not a copy), handed to a waiting consumer.
        mutating func turnEnded() -> Action {
            if !staging.isEmpty {
                lastTurnBytes = staging.count
                chunks.append(BodyChunk(bytes: staging, arrival: stagingArrival))
                staging = []
            }
            guard let waiter = bodyWaiter, let chunk = popChunk() else { return .none }
            bodyWaiter = nil
            return .resumeBody(waiter, .success(chunk))
        }

        /// The engine resumed the paused transfer.
        mutating func unpaused() { paused = false }

        /// The transfer is over: waiters learn how (a success without a head is
        /// a failure of the head). Only the first outcome counts.
        mutating func finish(_ result: Result<TransferTimings, TransportError>, url: String) -> Action {
            guard outcome == nil else { return .none }
            outcome = result.mapError { $0 as any Error }
            let headResult: Result<ResponseHead, any Error>
            let bodyResult: Result<BodyChunk?, any Error>
            switch result {
            case .success:
                headResult = .failure(Self.noStatusLine(url))
                bodyResult = .success(nil)
            case let .failure(error):
                headResult = .failure(error)
                bodyResult = .failure(error)
            }
            defer { headWaiter = nil; bodyWaiter = nil }
            switch (headWaiter, bodyWaiter) {
            case let (head?, body?): return .resumeBoth(head, headResult, body, bodyResult)
            case let (head?, nil): return .resumeHead(head, headResult)
            case let (nil, body?): return .resumeBody(body, bodyResult)
            case (nil, nil): return .none
            }
        }

        private mutating func popChunk() -> BodyChunk? {
            guard chunkStart < chunks.count else { return nil }
            let chunk = chunks[chunkStart]
            chunkStart += 1
            bufferedBytes -= chunk.bytes.count
            if chunkStart == chunks.count || chunkStart > 64 {
                chunks.removeFirst(chunkStart)
                chunkStart = 0
            }
            return chunk
        }
    }
}

extension CurlTransfer.StateMachine.Action {
    /// Resumes the waiters the transition handed back; called outside the lock.
    func perform() {
        switch self {
        case .none: break
        case let .resumeHead(waiter, result): waiter.resume(with: result)
        case let .resumeBody(waiter, result): waiter.resume(with: result)
        case let .resumeBoth(head, headResult, body, bodyResult):
            head.resume(with: headResult)
            body.resume(with: bodyResult)
        }
    }
}
