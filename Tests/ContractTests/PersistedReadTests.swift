import Foundation
import Synchronization
import Testing
@testable import Contract

@Suite("A read of what a message persisted waits for it, a bounded time")
struct PersistedReadTests {
    @Test("rows that land after the reply are read once they are there, with how long that took")
    func lateRowsAreWaitedFor() async throws {
        let reads = Mutex(0)
        let outcome = try await PersistedRead(timeout: .seconds(60), interval: .milliseconds(20)).until({
            reads.withLock { $0 += 1; return $0 }
        }, holds: { $0 >= 3 })
        #expect(outcome.held && outcome.value == 3 && outcome.reads == 3)
        #expect(outcome.waited >= .milliseconds(40), "two pauses between three reads: \(outcome.waited)")
        #expect(outcome.description.hasPrefix("held "))
    }

    @Test("rows that never land: the last read is the answer once the timeout has passed, and says so")
    func missingRowsStopAtTheTimeout() async throws {
        let outcome = try await PersistedRead(timeout: .milliseconds(150), interval: .milliseconds(20)).until({ [String]() }, holds: { !$0.isEmpty })
        #expect(!outcome.held && outcome.value.isEmpty)
        #expect(outcome.waited >= .milliseconds(150) && outcome.reads > 1)
        #expect(outcome.description.contains("still not there after \(outcome.reads) reads"))
    }

    @Test("a read that holds at once is not repeated")
    func presentRowsAreReadOnce() async throws {
        let outcome = try await PersistedRead(timeout: .seconds(5)).until({ 1 }, holds: { $0 == 1 })
        #expect(outcome.held && outcome.reads == 1)
    }
}
