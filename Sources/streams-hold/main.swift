import Foundation

// `STREAMS=2000 [HOLD_SECONDS=20] streams-hold`: run by ci/bench-streams against its local stack.
let environment = ProcessInfo.processInfo.environment
let count = environment["STREAMS"].flatMap { Int($0) } ?? 2000
let hold = environment["HOLD_SECONDS"].flatMap { Int($0) } ?? 20
try await StreamsBenchmark.run(count: count, perUser: 50, hold: .seconds(hold))
