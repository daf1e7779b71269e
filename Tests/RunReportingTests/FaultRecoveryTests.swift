import Testing
@testable import LoadRunner

/// The soak's fault gates, offline: recovery timed from the fault's start to
/// the first admitted request after its outage, under a ceiling, and the
/// success rate of the closures outside the fault windows, under a floor.
@Suite("Load runner: recovery and the success rate outside the faults")
struct FaultRecoveryTests {
    /// A closure every 0.5 s for 120 s, each taking a second; `fails` decides which fail.
    func closures(_ fails: (Int, Double) -> Bool) -> [FaultRecovery.Closure] {
        (0..<240).map { index in
            let started = Double(index) * 0.5
            return FaultRecovery.Closure(started: started, ended: started + 1, succeeded: !fails(index, started))
        }
    }

    let kill = LoadRun.FaultRecord(name: "backend killed and restarted", startedAt: 40, endedAt: 42, rtoSeconds: nil)

    @Test("a kill whose outage lasts 6 s recovers in 6 s from the kill, not from the restart's end; the rest of the soak holds the floor")
    func recoveryFromTheKill() {
        let recovery = FaultRecovery(faults: [kill], closures: closures { _, started in started >= 40 && started < 46 },
                                     rtoCeiling: 30, minimumSuccessRate: 0.95)
        #expect(recovery.faults.first?.rtoSeconds == 6)
        #expect(recovery.problems.isEmpty, "\(recovery.problems)")
        #expect(recovery.outside.total > 150 && recovery.outside.succeeded == recovery.outside.total)
    }

    @Test("a backend failing 30 % of messages throughout fails the floor, naming the success rate, though each fault recovered")
    func failingThroughout() {
        let recovery = FaultRecovery(faults: [kill], closures: closures { index, started in (started >= 40 && started < 44) || index % 10 < 3 },
                                     rtoCeiling: 30, minimumSuccessRate: 0.95)
        #expect(recovery.faults.first?.rtoSeconds != nil)
        #expect(recovery.problems.count == 1)
        #expect(recovery.problems.first?.contains("success rate 70.") == true, "\(recovery.problems)")
    }

    @Test("a recovery beyond the ceiling, or none, is a problem; a fault that failed nothing had no outage")
    func ceilingAndNoRecovery() {
        let slow = FaultRecovery(faults: [kill], closures: closures { _, started in started >= 40 && started < 80 }, rtoCeiling: 30, minimumSuccessRate: 0.95)
        #expect(slow.problems.contains { $0.contains("beyond the ceiling of 30 s") }, "\(slow.problems)")
        let never = FaultRecovery(faults: [kill], closures: closures { _, started in started >= 40 }, rtoCeiling: 30, minimumSuccessRate: 0.95)
        #expect(never.faults.first?.rtoSeconds == nil)
        #expect(never.problems.contains { $0.contains("not recovered") })
        let latency = LoadRun.FaultRecord(name: "latency", startedAt: 60, endedAt: 68, rtoSeconds: nil)
        let unharmed = FaultRecovery(faults: [latency], closures: closures { _, _ in false }, rtoCeiling: 30, minimumSuccessRate: 0.95)
        #expect(unharmed.faults.first?.rtoSeconds == 0)
        #expect(unharmed.problems.isEmpty)
    }
}
