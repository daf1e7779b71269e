import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Evidence
@testable import RunReporting
@testable import Contract
@testable import AnonE2ETesting

/// The verdict of a run, from Swift Testing's event stream: a skip is a skip
/// everywhere, and strict mode fails a run that did not check what it should.
@Suite("Run verdict: skips, strict mode, JUnit and REPORT.md")
struct RunVerdictTests {
    /// An event stream as `swift test --event-stream-version 0` writes it: one suite, four cases.
    static func events(cancelReason: String = "not exercised: no silence long enough") -> Data {
        func test(_ id: String, _ name: String, _ display: String, kind: String = "function") -> String {
            #"{"kind":"test","payload":{"id":"\#(id)","kind":"\#(kind)","name":"\#(name)","displayName":"\#(display)"}}"#
        }
        func event(_ kind: String, _ id: String, _ time: Double, comments: [String] = [], messages: String = "") -> String {
            let notes = comments.map { "\"\($0)\"" }.joined(separator: ",")
            return #"{"kind":"event","payload":{"kind":"\#(kind)","testID":"\#(id)","instant":{"absolute":\#(time)},"_comments":[\#(notes)],"messages":[\#(messages)]}}"#
        }
        let suite = "AnonE2ETests.StagingStreamStabilityTests"
        let lines = [
            test(suite, "StagingStreamStabilityTests", "StagingStreamStability", kind: "suite"),
            test("\(suite)/heartbeat()/F.swift:1:1", "heartbeat()", "heartbeat held"),
            test("\(suite)/order()/F.swift:2:1", "order()", "order kept"),
            test("\(suite)/broken()/F.swift:3:1", "broken()", "a broken rule"),
            test("\(suite)/gated()/F.swift:4:1", "gated()", "needs a database"),
            event("testStarted", "\(suite)/heartbeat()/F.swift:1:1", 1),
            event("testCancelled", "\(suite)/heartbeat()/F.swift:1:1", 2, comments: [cancelReason]),
            event("testEnded", "\(suite)/heartbeat()/F.swift:1:1", 2),
            event("testStarted", "\(suite)/order()/F.swift:2:1", 1),
            event("testEnded", "\(suite)/order()/F.swift:2:1", 3.5),
            event("testStarted", "\(suite)/broken()/F.swift:3:1", 1),
            event("issueRecorded", "\(suite)/broken()/F.swift:3:1", 1.5, messages: #"{"symbol":"fail","text":"Expectation failed: seq 1, 3"}"#),
            event("testEnded", "\(suite)/broken()/F.swift:3:1", 2),
            event("testSkipped", "\(suite)/gated()/F.swift:4:1", 1, comments: ["capability 'database' needs DB_CONN"]),
            #"{"kind":"event","payload":{"kind":"runEnded","instant":{"absolute":4},"messages":[]}}"#,
        ]
        return Data(lines.joined(separator: "\n").utf8)
    }

    @Test("a cancelled case is skipped with its reason in the verdicts, the JUnit XML and REPORT.md; the closing line counts it")
    func cancelledIsSkipped() throws {
        let log = try TestEventLog(jsonLines: Self.events())
        let byName = Dictionary(uniqueKeysWithValues: log.cases.map { ($0.name, $0) })
        #expect(byName["heartbeat"]?.verdict == .skipped)
        #expect(byName["heartbeat"]?.reason == "not exercised: no silence long enough")
        #expect(byName["heartbeat"]?.id == "StagingStreamStabilityTests/heartbeat")
        #expect(byName["order"]?.verdict == .passed)
        #expect(byName["broken"]?.verdict == .failed)
        #expect(byName["gated"]?.verdict == .skipped)
        #expect(log.summaryLine == "1 passed, 1 failed, 2 skipped")

        let xml = JUnitReport(name: "Staging", cases: log.cases).xml
        #expect(xml.contains(#"<skipped message="not exercised: no silence long enough"/>"#))
        #expect(xml.contains(#"skipped="2""#) && xml.contains(#"failures="1""#))
        let parsed = try XMLDocument(xmlString: xml)
        #expect(try parsed.nodes(forXPath: "//testcase/skipped").count == 2)

        let markdown = RunReport(runID: "r", target: "local stack", cases: log.cases, notes: []).markdown
        #expect(markdown.contains("skipped: not exercised: no silence long enough"))
        #expect(markdown.contains("1 passed, 1 failed, 2 skipped"))
        #expect(!markdown.contains("| heartbeat: heartbeat held | pass"))
    }

    @Test("a case's filter names its type, not its suite's display name, so it reruns that case alone; the failures list it, and invent none for a case that is no test")
    func filterNamesTheType() throws {
        let log = try TestEventLog(jsonLines: Self.events())
        let broken = try #require(log.cases.first { $0.name == "broken" })
        #expect(broken.id == "StagingStreamStabilityTests/broken")
        #expect(broken.filter == #"StagingStreamStabilityTests/broken\b"#)
        let markdown = RunReport(runID: "r", target: "local stack", cases: log.cases, notes: []).markdown
        #expect(markdown.contains(#"- **StagingStreamStabilityTests/broken** (`StagingStreamStabilityTests/broken\b`)"#))
        // A case that is no test function (the daily run's) gets no made-up filter.
        let daily = TestEventLog.Case(caseID: CaseID(suite: "Daily", function: "anonymous"), displayName: "anonymous", verdict: .failed, reason: "500", seconds: 1, isTestFunction: false)
        let dailyReport = RunReport(runID: "d", target: "local stack", cases: [daily], notes: []).markdown
        #expect(dailyReport.contains("- **Daily/anonymous**: 500"))
        #expect(!dailyReport.contains("--filter"))
    }

    @Test("a case that started and never ended (a crash) is a failure, not a pass")
    func unfinishedIsFailed() throws {
        let line = #"{"kind":"test","payload":{"id":"M.S/a()/F.swift:1:1","kind":"function","name":"a()","displayName":"a"}}"# + "\n" +
            #"{"kind":"event","payload":{"kind":"testStarted","testID":"M.S/a()/F.swift:1:1","instant":{"absolute":1}}}"#
        let log = try TestEventLog(jsonLines: Data(line.utf8))
        #expect(log.cases.first?.verdict == .failed)
    }

    func verdict(_ values: [String: String], events: Data = events(), configurationError: String? = nil) throws -> RunVerdict {
        let full: [String: String] = ["SUPABASE_URL": "http://x", "SUPABASE_ANON_KEY": "k", "API_BASE": "http://x", "DB_CONN": "postgresql://r@x/d"]
        return RunVerdict(outcome: RunOutcome(log: try TestEventLog(jsonLines: events)), configuration: Configuration(values: full.merging(values) { $1 }),
                          configurationError: configurationError)
    }

    static let passingEvents = Data((#"{"kind":"test","payload":{"id":"M.S/a()/F.swift:1:1","kind":"function","name":"a()","displayName":"a"}}"# + "\n" +
        #"{"kind":"event","payload":{"kind":"testStarted","testID":"M.S/a()/F.swift:1:1","instant":{"absolute":1}}}"# + "\n" +
        #"{"kind":"event","payload":{"kind":"testEnded","testID":"M.S/a()/F.swift:1:1","instant":{"absolute":2}}}"# + "\n" + runEnded).utf8)

    /// The last record of a run whose test process saw it through.
    static let runEnded = #"{"kind":"event","payload":{"kind":"runEnded","instant":{"absolute":3}}}"#

    @Test("strict mode fails a run for a skip ANON_E2E_ALLOW_SKIP does not list, naming the case and its reason")
    func strictUnlistedSkip() throws {
        let strict = try verdict(["ANON_E2E_STRICT": "1"])
        #expect(strict.failed)
        let skip = try #require(strict.problems.first { $0.kind == .unlistedSkip })
        #expect(skip.message.contains("StagingStreamStabilityTests/heartbeat") && skip.message.contains("no silence long enough"))
        let allowed = try verdict(["ANON_E2E_STRICT": "1", "ANON_E2E_ALLOW_SKIP": "StagingStreamStabilityTests/*: accepted by the team"])
        #expect(!allowed.problems.contains { $0.kind == .unlistedSkip })
        let lax = try verdict([:])
        #expect(lax.problems.contains { $0.kind == .unlistedSkip }, "without strict mode the fact is still reported")
        #expect(SkipAllowance.parse("StagingLimits/dailyQuota").errors.first?.contains("no reason") == true)
    }

    @Test("strict mode fails a run where a declared capability is missing, naming it")
    func strictMissingCapability() throws {
        let run = try verdict(["ANON_E2E_STRICT": "1", "ANON_E2E_CAPABILITIES": "auth,api,database,signingKey",
                               "ANON_E2E_ALLOW_SKIP": "StagingStreamStabilityTests/*: ok"], events: Self.passingEvents)
        #expect(run.failed)
        #expect(run.problems.map(\.kind) == [.missingCapability])
        #expect(run.problems.first?.message.contains("SUPABASE_JWT_SECRET") == true)
    }

    @Test("strict mode fails a run in which no case ran (a filter that matched nothing, or every case skipped)")
    func strictNoCases() throws {
        let nothing = try verdict(["ANON_E2E_STRICT": "1"], events: Data(Self.runEnded.utf8))
        #expect(nothing.failed)
        #expect(nothing.problems.first?.kind == .noCases)
        #expect(nothing.problems.first?.message.contains("no case ran") == true)
        #expect(try verdict([:], events: Data(Self.runEnded.utf8)).problems.contains { $0.kind == .noCases })
    }

    @Test("a malformed .env.local fails the run, naming the file and the line")
    func malformedEnvFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("anon-e2e-verdict-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "API_BASE=http://x\nthis is not a pair\n".write(to: directory.appendingPathComponent(".env.local"), atomically: true, encoding: .utf8)
        let error = #expect(throws: DotEnv.FileError.self) { try Configuration.load(environment: [:], directory: directory.path) }
        let message = String(describing: try #require(error))
        #expect(message.contains(".env.local line 2"))
        let run = try verdict(["ANON_E2E_STRICT": "1"], events: Self.passingEvents, configurationError: message)
        #expect(run.failed)
        #expect(run.problems.contains { $0.kind == .configuration && $0.message.contains(".env.local line 2") })
        // The suite itself: every capability is missing, and says why.
        let broken = Configuration(values: [:], loadError: message)
        #expect(broken.missing(.api)?.description.contains(".env.local line 2") == true)
    }

    @Test("a secret found by the scan fails the run even when it is not strict")
    func scanAlwaysFails() throws {
        let run = RunVerdict(outcome: RunOutcome(log: try TestEventLog(jsonLines: Self.passingEvents)), configuration: Configuration(values: ["API_BASE": "http://x"]),
                             outputErrors: [(.secretScan, "leak: console.log: SUPABASE_ANON_KEY (base64)")])
        #expect(!run.strict)
        #expect(run.failed)
    }
}
