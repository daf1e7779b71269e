import Evidence

/// The run's JUnit XML, written from the event stream so that a case that
/// could not check its rule is `<skipped message="why">`, never a plain pass.
public struct JUnitReport: Sendable {
    public let name: String
    public let cases: [TestEventLog.Case]
    /// What failed the run apart from its cases (a stop before testing, a test
    /// process that ended early, a secret found): one failed test case
    /// `AnonE2E/run`, so a CI that reads only JUnit sees the run red too.
    public let runProblems: [String]

    public init(name: String, cases: [TestEventLog.Case], runProblems: [String] = []) {
        self.name = name
        self.cases = cases
        self.runProblems = runProblems
    }

    public var xml: String {
        let run = runProblems.isEmpty ? [] : [TestEventLog.Case(caseID: CaseID(suite: "AnonE2E", function: "run"), displayName: "the run's verdict",
                                                                 verdict: .failed, reason: runProblems.joined(separator: "\n"), seconds: 0, isTestFunction: false)]
        let cases = self.cases + run
        let failed = cases.filter { $0.verdict == .failed }.count, skipped = cases.filter { $0.verdict == .skipped }.count
        let time = cases.map(\.seconds).reduce(0, +)
        var text = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n<testsuites>\n"
        text += #"  <testsuite name="\#(Self.escape(name))" tests="\#(cases.count)" failures="\#(failed)" skipped="\#(skipped)" errors="0" time="\#(time)">"# + "\n"
        for item in cases {
            text += #"    <testcase classname="\#(Self.escape(item.suite))" name="\#(Self.escape(item.name)): \#(Self.escape(item.displayName))" time="\#(item.seconds)""#
            switch item.verdict {
            case .passed:
                text += "/>\n"
            case .failed:
                let reason = item.reason ?? "failed"
                text += ">\n      <failure message=\"\(Self.escape(String(reason.prefix(400))))\">\(Self.escape(reason))</failure>\n    </testcase>\n"
            case .skipped:
                text += ">\n      <skipped message=\"\(Self.escape(item.reason ?? "skipped"))\"/>\n    </testcase>\n"
            }
        }
        return text + "  </testsuite>\n</testsuites>\n"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            // XML 1.0 has no place for other control characters.
            case _ where scalar.value < 0x20 && scalar != "\t": out += "?"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
