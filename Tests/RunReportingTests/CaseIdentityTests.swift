import Foundation
import Testing
import Contract
import Evidence
@testable import RunReporting

/// One name for a case: notes, REPORT and the history join on the suite's
/// type and the function, never on the bare function name.
@Suite struct CaseIdentityTests {
    static func events() -> Data {
        let lines = ["AnonE2ETests.StagingPolicyTests", "AnonE2ETests.StagingRegisteredTests"].flatMap { suite -> [String] in
            let id = "\(suite)/share()/F.swift:1:1"
            return [
                #"{"kind":"test","payload":{"id":"\#(suite)","kind":"suite","name":"x","displayName":"x"}}"#,
                #"{"kind":"test","payload":{"id":"\#(id)","kind":"function","name":"share()","displayName":"share"}}"#,
                #"{"kind":"event","payload":{"kind":"testStarted","testID":"\#(id)","instant":{"absolute":1}}}"#,
                #"{"kind":"event","payload":{"kind":"testEnded","testID":"\#(id)","instant":{"absolute":2}}}"#,
            ]
        } + [#"{"kind":"event","payload":{"kind":"runEnded","instant":{"absolute":3}}}"#]
        return Data(lines.joined(separator: "\n").utf8)
    }

    @Test("two cases with the same function name in two suites keep their own trace ids in REPORT and the history")
    func sameFunctionTwoSuites() throws {
        let log = try TestEventLog(jsonLines: Self.events())
        #expect(log.cases.map(\.id) == ["StagingPolicyTests/share", "StagingRegisteredTests/share"])
        let policy = CaseID(suite: "StagingPolicyTests", function: "share")
        let registered = CaseID(suite: "StagingRegisteredTests", function: "share")
        let notes = [
            TraceNote(kind: .exchange, caseID: policy, traceID: "trace-policy", request: "POST /share", status: 403, message: "policy.anonymous_forbidden"),
            TraceNote(kind: .exchange, caseID: registered, traceID: "trace-registered", request: "POST /share", status: 200),
            TraceNote(kind: .measurement, caseID: registered, traceID: "trace-registered", name: "final_ms", value: 12),
        ]
        let configuration = Configuration(values: [:])
        let outcome = RunOutcome(log: log)
        let verdict = RunVerdict(outcome: outcome, configuration: configuration)
        let recorded = RunImport(directory: URL(fileURLWithPath: "/tmp/r"), outcome: outcome, notes: notes, verdict: verdict,
                                 configuration: configuration, rules: [:], redactor: Redactor(configuration: configuration)).recorded(gitCommit: "")
        let traces = Dictionary(uniqueKeysWithValues: recorded.cases.map { ($0.caseID, $0.traceIDs) })
        #expect(traces == ["StagingPolicyTests/share": "trace-policy", "StagingRegisteredTests/share": "trace-registered"])
        #expect(recorded.refusals.map(\.caseID) == ["StagingPolicyTests/share"])
        #expect(recorded.measurements.map(\.caseID) == ["StagingRegisteredTests/share"])

        let markdown = RunReport(runID: "r", cases: log.cases, notes: notes).markdown
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| StagingPolicyTests") || $0.hasPrefix("| StagingRegisteredTests") }
        #expect(rows.count == 2)
        #expect(rows.first { $0.hasPrefix("| StagingPolicyTests") }?.contains("trace-registered") == false)
        #expect(rows.first { $0.hasPrefix("| StagingRegisteredTests") }?.contains("trace-policy") == false)
    }

    @Test("the id Swift Testing gives a running test and the event stream's id name the same case")
    func oneParser() {
        #expect(CaseID(testID: "AnonE2ETests.StagingLimitTests/openStreams()/StagingLimitTests.swift:90:6")?.description == "StagingLimitTests/openStreams")
        #expect(CaseID(testID: "M.Outer.Inner/f(_:b:)/F.swift:1:1") == CaseID(suite: "Outer.Inner", function: "f"))
        #expect(CaseID(testID: "AnonE2ETests.StagingLimitTests") == nil)
        #expect(CaseID("StagingLimitTests/openStreams")?.filter == #"StagingLimitTests/openStreams\b"#)
    }
}
