import Synchronization
import Testing
@testable import Transport

/// The transfer's life cycle, transition by transition, without libcurl: the
/// engine side and the consumer side meet only through the state machine.
@Suite struct CurlTransferStateMachineTests {
    typealias Machine = CurlTransfer.StateMachine
    static let head = ResponseHead(status: 200, httpVersion: "1.1", headers: HTTPHeaders())

    /// The machine behind a mutex, as the transfer holds it.
    final class Shared: Sendable {
        let state = Mutex(Machine())
        func headReceived() { state.withLock { $0.headReceived(CurlTransferStateMachineTests.head, at: .now) }.perform() }
        func deliver(_ text: String, limit: Int = 1 << 20) -> Bool {
            Array(text.utf8).withUnsafeBytes { bytes in state.withLock { $0.deliver(bytes, arrival: .now, limit: limit) } }
        }
        func turnEnded() { state.withLock { $0.turnEnded() }.perform() }
        func finish(_ result: Result<TransferTimings, TransportError>) { state.withLock { $0.finish(result, url: "http://x") }.perform() }
        func awaitHead() async throws -> ResponseHead {
            try await withCheckedThrowingContinuation { waiter in state.withLock { $0.awaitHead(waiter, url: "http://x") }.perform() }
        }
        func nextChunk(lowWater: Int = 0) async throws -> (chunk: BodyChunk?, unpause: Bool) {
            let unpause = Mutex(false)
            let chunk = try await withCheckedThrowingContinuation { waiter in
                let (action, resume) = state.withLock { $0.nextChunk(waiter, resumeBelow: lowWater) }
                unpause.withLock { $0 = resume }
                action.perform()
            }
            return (chunk, unpause.withLock { $0 })
        }
        func text(_ chunk: BodyChunk?) -> String { String(decoding: chunk?.bytes ?? [], as: UTF8.self) }
    }

    @Test("a head that came first is handed to the consumer at once; one that comes later wakes the parked consumer")
    func head() async throws {
        let early = Shared()
        early.headReceived()
        #expect(try await early.awaitHead().status == 200)

        let late = Shared()
        async let waited = late.awaitHead()
        while late.state.withLock({ $0.hasHead }) == false {
            await Task.yield()
            late.headReceived()
        }
        #expect(try await waited.status == 200)
    }

    @Test("the reads of one engine turn reach the consumer as one chunk; the end follows the last chunk")
    func turnIsOneChunk() async throws {
        let shared = Shared()
        shared.headReceived()
        #expect(shared.deliver("data: a\n"))
        #expect(shared.deliver("\n"))
        shared.turnEnded()
        shared.finish(.success(TransferTimings()))
        #expect(shared.text(try await shared.nextChunk().chunk) == "data: a\n\n")
        #expect(try await shared.nextChunk().chunk == nil)
        #expect(shared.state.withLock { $0.timings } != nil)
    }

    @Test("over the buffer limit a read is refused (the transfer pauses) and one resume is asked for once the buffer drains")
    func backpressure() async throws {
        let shared = Shared()
        #expect(shared.deliver("12345678", limit: 10))
        shared.turnEnded()
        #expect(!shared.deliver("abcdefgh", limit: 10), "8 buffered + 8 more is over the limit of 10")
        #expect(shared.state.withLock { $0.paused })
        let first = try await shared.nextChunk(lowWater: 5)
        #expect(shared.text(first.chunk) == "12345678" && first.unpause)
        shared.state.withLock { $0.unpaused() }
        #expect(shared.deliver("abcdefgh", limit: 10))
        shared.turnEnded()
        #expect(try await shared.nextChunk(lowWater: 5).unpause == false, "not paused: no resume to ask for")
    }

    @Test("an outcome reaches every waiter once, also one that comes after it: a success without a head fails the head, a failure fails both; a second is ignored")
    func finish() async throws {
        let headless = Shared()
        headless.finish(.success(TransferTimings()))
        await #expect(throws: TransportError.self) { try await headless.awaitHead() }

        let failed = Shared()
        async let body = failed.nextChunk()
        while failed.state.withLock({ $0.outcome == nil }) {
            await Task.yield()
            failed.finish(.failure(.idleTimeout(url: "http://x", after: .seconds(1), receivedBytes: 0)))
        }
        do {
            _ = try await body
            Issue.record("the parked body waiter should have failed")
        } catch { #expect(error is TransportError) }
        failed.finish(.success(TransferTimings()))
        #expect(failed.state.withLock { $0.timings } == nil, "the first outcome stands")
    }
}
