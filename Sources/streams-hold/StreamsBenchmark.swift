import Foundation
import Synchronization
import Contract
import Evidence
import Protocols
import Transport

/// How many concurrent SSE streams a backend holds: opens `count` streams of
/// long replies (anonymous users, `perUser` streams each), keeps them open
/// for `hold`, counts failed connects and streams that missed a heartbeat,
/// samples the server's RSS when its pid is known (`LOCAL_STAGING_PID`), and
/// its own CPU (cores used while every stream is open) and RSS per stream.
/// Run by `ci/bench-streams`, which starts the local stack for it.
enum StreamsBenchmark {
    static func run(count: Int, perUser: Int, hold: Duration) async throws {
        let env = ProcessInfo.processInfo.environment
        let configuration = Configuration.current
        try configuration.require(.auth)
        try configuration.require(.api)
        let auth = try configuration.required(.supabaseURL), key = try configuration.required(.supabaseAnonKey)
        let api = try configuration.required(.apiBase)
        let pid = env["LOCAL_STAGING_PID"].flatMap { Int32($0) }
        let client = HTTPClient(streamBufferLimit: 64 * 1024)
        let baseline = pid.map(residentBytes) ?? 0
        let ownBaseline = residentBytes(getpid())

        var tokens: [String] = []
        for _ in 0..<((count + perUser - 1) / perUser) {
            var signup = RequestTemplate().json(.post, auth + "/auth/v1/signup", "{}")
            signup.headers.add("apikey", key)
            let session = try JSONSerialization.jsonObject(with: Data(try await client.send(signup).body)) as? [String: Any]
            tokens.append(session?["access_token"] as? String ?? "")
        }

        let tally = Tally()
        let prompt = String(repeating: "a long prompt so the reply outlives the hold ", count: 4)
        let body = #"{"messages":[{"role":"user","content":"\#(prompt)"}]}"#
        let holdUntil = ContinuousClock.now + hold + .seconds(Int64(count / 200 + 5))

        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                if index % 200 == 199 { try? await Task.sleep(for: .milliseconds(500)) }
                let token = tokens[index / perUser]
                group.addTask {
                                var request = RequestTemplate().json(.post, api + "/api/v1/messages", body,
                                                   headers: ["Authorization": "Bearer \(token)", "Accept": "text/event-stream"])
                    request.deadlines = Deadlines(connect: .seconds(30), total: hold + .seconds(120), idle: .seconds(10))
                    do {
                        let response = try await client.stream(request)
                        guard response.status == 200 else {
                            tally.failed.add(1, ordering: .relaxed)
                            tally.errors.withLock { $0["HTTP \(response.status)", default: 0] += 1 }
                            return
                        }
                        tally.opened.add(1, ordering: .relaxed)
                        var lastPing = ContinuousClock.now
                        var missed = false
                        for try await item in EventStream(response) {
                            if case .comment = item {
                                if item.arrival - lastPing > .milliseconds(2500) { missed = true }
                                lastPing = item.arrival
                            }
                            if ContinuousClock.now > holdUntil { break }
                        }
                        response.cancel()
                        if missed { tally.missedPing.add(1, ordering: .relaxed) }
                    } catch {
                        tally.failed.add(1, ordering: .relaxed)
                        tally.errors.withLock { $0[String(describing: error).prefix(60).description, default: 0] += 1 }
                    }
                }
            }
            // The runner's own CPU over ten seconds in which every stream is open and pinging, then its memory.
            try? await Task.sleep(until: holdUntil - .seconds(12))
            let cpuBefore = cpuSeconds(), wallBefore = ContinuousClock.now
            try? await Task.sleep(until: holdUntil - .seconds(2))
            let cpu = (cpuSeconds() - cpuBefore) / ((ContinuousClock.now - wallBefore).inMilliseconds / 1000)
            let open = tally.opened.load(ordering: .relaxed)
            let rss = pid.map(residentBytes) ?? 0
            print(String(format: "streams: %d requested, %d open at once, %d failed connects (%.2f %%) after %.1f s",
                         count, open, tally.failed.load(ordering: .relaxed),
                         100 * Double(tally.failed.load(ordering: .relaxed)) / Double(count), (ContinuousClock.now - started).inMilliseconds / 1000))
            if pid != nil, open > 0 {
                print(String(format: "server RSS: %.1f MiB idle, %.1f MiB with %d streams: %.1f KiB per open stream",
                             Double(baseline) / 1_048_576, Double(rss) / 1_048_576, open, Double(rss - baseline) / 1024 / Double(open)))
            }
            let own = residentBytes(getpid())
            if open > 0 {
                print(String(format: "runner: %.2f cores while holding them; RSS %.1f MiB idle, %.1f MiB with %d streams: %.1f KiB per open stream",
                             cpu, Double(ownBaseline) / 1_048_576, Double(own) / 1_048_576, open, Double(own - ownBaseline) / 1024 / Double(open)))
            }
        }
        print("streams that missed a ping for over 2.5 s: \(tally.missedPing.load(ordering: .relaxed))")
        for (error, n) in tally.errors.withLock({ $0 }) { print("  \(n) × \(error)") }
    }

    /// What the streams report, shared by every task.
    final class Tally: Sendable {
        let opened = Atomic<Int>(0)
        let failed = Atomic<Int>(0)
        let missedPing = Atomic<Int>(0)
        let errors = Mutex<[String: Int]>([:])
    }

    /// This process's CPU time so far, user and system, in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func residentBytes(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return kib * 1024
    }
}
