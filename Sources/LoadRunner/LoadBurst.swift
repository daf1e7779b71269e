import Foundation
import Transport

/// The burst of the stability plan: a ramp of concurrent streams over a few
/// users, up to and beyond their limits. What is over a limit must be the
/// contract's 429 (a K1 body with a `rate_limit.*` code and a Retry-After of
/// at least a second), and the same request must be admitted again once it
/// waited that long.
extension LoadRun {
    public func burst(users: Int, streamsPerUser: Int, backendPID: @escaping @Sendable () -> Int32?) async -> Outcome {
        let started = ContinuousClock.now
        let recorder = LatencyRecorder(started: started)
        let sampler = ResourceSampler(backendPID: backendPID, databaseURL: databaseURL, started: started)
        let driver = ClosureDriver(backend: backend, users: users)
        var problems: [String] = []
        await blocking { sampler.sample() }
        // Sign everyone in first: the burst measures the messages endpoint, not sign-up.
        for user in 0..<users { _ = try? await driver.sessions.token(user) }

        // The ramp: 1, 2, … streamsPerUser concurrent streams per user, each step settled before the next.
        for step in 1...max(streamsPerUser, 1) {
            let results = await withTaskGroup(of: ClosureDriver.Result.self) { group in
                for index in 0..<(users * step) { group.addTask { await driver.run(user: index % users) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            await blocking { sampler.sample() }
            for result in results {
                recorder.record(result.outcome, phases: result.phases, detail: result.detail)
                guard case let .refused(status, code) = result.outcome else {
                    if result.outcome != .success { problems.append("step \(step): \(result.outcome.kind): \(result.detail ?? "")") }
                    continue
                }
                guard status == 429, code.hasPrefix("rate_limit"), let wait = result.retryAfter, wait >= 1 else {
                    problems.append("step \(step): over the limit came \(status) \(code) Retry-After \(result.retryAfter.map { "\($0)" } ?? "none"); " +
                                    "expected 429 rate_limit.* with Retry-After ≥ 1")
                    continue
                }
            }
            // Every refused request, sent again after its Retry-After (once its own streams ended), must be admitted.
            let refused = results.enumerated().filter { if case .refused = $0.element.outcome { true } else { false } }
            if !refused.isEmpty {
                let wait = refused.compactMap(\.element.retryAfter).max() ?? 1
                try? await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
                // The user who was refused, not the one at the same place in completion order.
                for (_, item) in refused.prefix(users) {
                    var admitted = false
                    for _ in 0..<10 where !admitted {
                        let again = await driver.run(user: item.user)
                        if again.outcome == .success { admitted = true; break }
                        guard case .refused = again.outcome, let retry = again.retryAfter, retry >= 1 else {
                            problems.append("step \(step): the retry of \(item.traceID) came \(again.outcome.kind)")
                            break
                        }
                        try? await Task.sleep(for: .milliseconds(Int64(retry * 1000)))
                    }
                    if !admitted { problems.append("step \(step): a request refused with 429 was not admitted again after its Retry-After") }
                }
            }
        }
        let summary = recorder.summary
        if summary.successes == 0 { problems.append("nothing was admitted") }
        if summary.outcomes.keys.allSatisfy({ !$0.hasPrefix("429") }) {
            problems.append("no request was refused: the ramp never went over a limit (raise --streams-per-user)")
        }
        let samples = sampler.all
        return Outcome(mode: "burst", seconds: (ContinuousClock.now - started).inMilliseconds / 1000, summary: summary, faults: [], lost: [], doubled: [],
                       checkedRows: 0, samples: samples, trends: [], identities: await driver.sessions.signIns, problems: Array(problems.prefix(30)),
                       series: recorder.points)
    }
}
