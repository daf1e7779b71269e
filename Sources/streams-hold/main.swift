import Foundation

// `STREAMS=2000 streams-hold`: run by ci/bench-streams against its local stack.
let count = ProcessInfo.processInfo.environment["STREAMS"].flatMap { Int($0) } ?? 2000
try await StreamsBenchmark.run(count: count, perUser: 50, hold: .seconds(20))
