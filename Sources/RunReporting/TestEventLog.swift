import Foundation
import Contract
import Protocols
import Evidence

/// What Swift Testing said about each case of a run, read from its event
/// stream (`swift test --event-stream-output-path F --event-stream-version 0`).
/// The stream is the one source that tells a cancelled case (`Test.cancel`:
/// the check could not run) from a passed one; the JUnit XML of swift test
/// writes both as plain test cases.
public struct TestEventLog: Sendable {
    /// One test function and how it came out.
    public struct Case: Sendable, Equatable {
        public enum Verdict: String, Sendable, Equatable { case passed, failed, skipped }

        public var caseID: CaseID
        /// Whether `--filter` can select it alone: false for a case that is no
        /// test function (the daily run's).
        public var isTestFunction: Bool
        public var displayName: String
        public var verdict: Verdict
        /// Why it was skipped, or what failed.
        public var reason: String?
        public var seconds: Double
        /// When it started, in seconds from the run's first event (nil for a case that never started).
        public var startedAt: Double?
        /// Its Swift Testing tags and its suite's (`auth`, `stream`, `criticalRefusal`), for the report's filters.
        public var tags: [String]

        public init(caseID: CaseID, displayName: String, verdict: Verdict, reason: String?, seconds: Double, isTestFunction: Bool = true,
                    tags: [String] = []) {
            self.caseID = caseID
            self.tags = tags
            self.isTestFunction = isTestFunction
            self.displayName = displayName
            self.verdict = verdict
            self.reason = reason
            self.seconds = seconds
        }

        /// `Suite/function`: what reports, the history and `ANON_E2E_ALLOW_SKIP` use.
        public var id: String { caseID.description }
        public var suite: String { caseID.suite }
        public var name: String { caseID.function }
        /// The `--filter` that runs this case alone; nil for a case that is no test function.
        public var filter: String? { isTestFunction ? caseID.filter : nil }
    }

    public let cases: [Case]
    /// From the first event of the run to its last (nil for a log built by hand).
    public private(set) var wallSeconds: Double?
    /// When the run's first event happened.
    public private(set) var startedAt: Date?

    /// Whether the stream holds Swift Testing's `runEnded`: without it the test
    /// process ended (killed, crashed) before the run did.
    public private(set) var runEnded: Bool

    /// The reason of a case planned and never started.
    public static let didNotRun = "did not run: the test process ended first"

    /// A log of cases that no test process wrote (the daily run's).
    public init(cases: [Case], runEnded: Bool = true, startedAt: Date? = nil, wallSeconds: Double? = nil) {
        self.cases = cases
        self.runEnded = runEnded
        self.startedAt = startedAt
        self.wallSeconds = wallSeconds
    }

    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ReadError(path: url.path, reason: "no event stream (did swift test run?)")
        }
        try self.init(jsonLines: data, path: url.path)
    }

    /// Builds the cases from the stream's records: `test` records name the
    /// tests, `event` records say what happened to them.
    public init(jsonLines data: Data, path: String = "events") throws {
        struct Test { var displayName: String; var kind: String; var name: String; var parent: String?; var tags: [String] }
        var tests: [String: Test] = [:]
        var order: [String] = []
        var started: [String: Double] = [:]
        var ended: [String: Double] = [:]
        var skipped: [String: String] = [:]
        var cancelled: [String: String] = [:]
        var failures: [String: [String]] = [:]
        var first: (absolute: Double, since1970: Double)?
        var last: Double?
        var runEnded = false
        for line in data.split(separator: 10) where !line.isEmpty {
            guard let record = JSONValue.parse(line) else { throw ReadError(path: path, reason: "a line is not JSON: \(String(decoding: line.prefix(120), as: UTF8.self))") }
            let payload = record["payload"]
            switch record["kind"]?.string {
            case "test":
                guard let id = payload?["id"]?.string else { continue }
                let kind = payload?["kind"]?.string ?? ""
                tests[id] = Test(displayName: payload?["displayName"]?.string ?? payload?["name"]?.string ?? id, kind: kind,
                                 name: payload?["name"]?.string ?? id, parent: Self.parent(of: id, kind: kind),
                                 tags: payload?["_tags"]?.array?.compactMap(\.string).map(Self.tagName) ?? [])
                if kind == "function" { order.append(id) }
            case "event":
                if payload?["kind"]?.string == "runEnded" { runEnded = true }
                guard let id = payload?["testID"]?.string else { continue }
                let time = payload?["instant"]?["absolute"]?.number ?? 0
                if first == nil { first = (time, payload?["instant"]?["since1970"]?.number ?? 0) }
                last = time
                let comment = payload?["_comments"]?.array?.compactMap(\.string).joined(separator: "; ")
                let text = payload?["messages"]?.array?.compactMap { $0["text"]?.string }.joined(separator: ": ") ?? ""
                switch payload?["kind"]?.string {
                case "testStarted": started[id] = time
                case "testEnded": ended[id] = time
                case "testSkipped": skipped[id] = comment ?? Self.quoted(text) ?? "skipped"
                case "testCancelled", "testCaseCancelled":
                    if cancelled[id] == nil { cancelled[id] = comment ?? Self.quoted(text) ?? "cancelled" }
                case "issueRecorded":
                    // Known issues (withKnownIssue) and warnings do not fail a case.
                    if payload?["issue"]?["isKnown"]?.bool == true { continue }
                    if let severity = payload?["issue"]?["severity"]?.string, severity != "error" { continue }
                    failures[id, default: []].append(text.isEmpty ? (comment ?? "an issue") : text)
                default: break
                }
            default: continue
            }
        }
        self.runEnded = runEnded
        if let first, let last {
            wallSeconds = max(0, last - first.absolute)
            startedAt = Date(timeIntervalSince1970: first.since1970)
        }
        func ancestorSkip(_ id: String) -> String? {
            var current = tests[id]?.parent
            while let suite = current {
                if let reason = skipped[suite] { return reason }
                current = tests[suite]?.parent
            }
            return nil
        }
        cases = order.compactMap { id in
            guard let test = tests[id] else { return nil }
            let verdict: Case.Verdict
            var reason: String?
            if let issues = failures[id], !issues.isEmpty {
                verdict = .failed
                reason = issues.joined(separator: "\n")
            } else if let why = skipped[id] ?? cancelled[id] {
                verdict = .skipped
                reason = why
            } else if started[id] != nil, ended[id] == nil {
                // Started and never ended: the test process crashed or was killed.
                verdict = .failed
                reason = "the case started and never ended (the test process crashed, hung or was killed)"
            } else if started[id] != nil {
                verdict = .passed
            } else if let why = ancestorSkip(id) {
                verdict = .skipped
                reason = why
            } else {
                // The stream names only the tests the filter selected: one with no
                // event at all was planned and never started.
                verdict = .failed
                reason = Self.didNotRun
            }
            guard let caseID = CaseID(testID: id) else { return nil }
            let seconds = started[id].flatMap { start in ended[id].map { max(0, $0 - start) } } ?? 0
            var item = Case(caseID: caseID, displayName: test.displayName, verdict: verdict, reason: reason, seconds: seconds, tags: test.tags)
            item.startedAt = started[id].flatMap { start in first.map { start - $0.absolute } }
            return item
        }
    }

    /// `Module.Suite/function()/File.swift:3:4` → `Module.Suite`; a suite's parent is the path before its last component.
    static func parent(of id: String, kind: String) -> String? {
        if kind == "function" {
            guard let slash = id.firstIndex(of: "/") else { return nil }
            return String(id[..<slash])
        }
        let parts = id.split(separator: ".")
        return parts.count > 2 ? parts.dropLast().joined(separator: ".") : nil
    }

    /// `.criticalRefusal` (how the event stream spells a tag declared in code) → `criticalRefusal`.
    static func tagName(_ raw: String) -> String { raw.hasPrefix(".") ? String(raw.dropFirst()) : raw }

    /// The text between the first and last double quote of a message (the reason Swift Testing quotes).
    static func quoted(_ text: String) -> String? {
        guard let first = text.firstIndex(of: "\""), let last = text.lastIndex(of: "\""), first < last else { return nil }
        return String(text[text.index(after: first)..<last])
    }

    public var passed: Int { cases.filter { $0.verdict == .passed }.count }
    public var failed: Int { cases.filter { $0.verdict == .failed }.count }
    public var skipped: Int { cases.filter { $0.verdict == .skipped }.count }

    /// The plain closing line every runner understands.
    public var summaryLine: String { "\(passed) passed, \(failed) failed, \(skipped) skipped" }
}
