import Testing
@testable import LoadRunner

/// The Locust run's verdict, from the statistics Locust writes.
@Suite struct LocustStatsTests {
    static let header = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,95%,100%"

    @Test("a run passes with streamed messages and sign-ins and no failure; quoted names are read whole")
    func passes() throws {
        let csv = """
        \(Self.header)
        POST,POST messages (stream),40,0,310,320,450,600
        POST,anonymous sign-in,10,0,20,21,30,40
        EXPECTED,"429 rate_limit.qps, as provoked",3,0,1,1,1,1
        PHASE,time to final,37,0,300,300,450,600
        ,Aggregated,53,0,300,300,450,600
        """
        let stats = try LocustStats(csv: csv)
        #expect(stats.problems.isEmpty)
        #expect(stats.expectedRefusals == 3)
        #expect(stats.summary.contains("40 streamed messages, 0 failed, 10 sign-ins, 3 expected 429s, median 310 ms, p95 450 ms"))
    }

    @Test("failed closures, no stream sent, or no sign-in fail the run, each named")
    func fails() throws {
        let failed = try LocustStats(csv: "\(Self.header)\nPOST,POST messages (stream),40,2,1,1,1,1\nPOST,anonymous sign-in,1,0,1,1,1,1\nPHASE,time to final,38,0,1,1,1,1")
        #expect(failed.problems == ["2 closures failed their checks (see stats_failures.csv)"])
        // Every message refused (429s are "expected", so nothing failed): no success, no pass.
        let refused = try LocustStats(csv: "\(Self.header)\nPOST,POST messages (stream),40,0,1,1,1,1\nPOST,anonymous sign-in,1,0,1,1,1,1\nEXPECTED,429 rate_limit.qps,40,0,1,1,1,1")
        #expect(refused.problems == ["only 0 of 40 streamed messages completed and passed their checks (at least half must)"])
        let nothing = try LocustStats(csv: Self.header)
        #expect(nothing.problems == ["no streamed message was sent", "no anonymous sign-in"])
        #expect(throws: LocustStats.ReadError.self) { try LocustStats(csv: "Type,Name\nPOST,x") }
    }
}
