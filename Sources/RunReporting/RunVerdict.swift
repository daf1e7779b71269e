import Contract
/// What a run means: green only when every case that ran held its rule and
/// nothing that should have been checked was left out. A failed case, a
/// secret found in an output and an unreadable configuration always fail the
/// run; in strict mode (`ANON_E2E_STRICT=1`) every other problem does too, and
/// without it each is printed loudly at the end.
public struct RunVerdict: Sendable {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            case failedCases, noCases, missingCapability, unlistedSkip, configuration, report, secretScan
            /// The run stopped before its cases (build, configuration), or its test process ended early.
            case stopped, incomplete

            /// Fails the run whether or not it is strict.
            public var alwaysFails: Bool { [.failedCases, .secretScan, .configuration, .stopped, .incomplete].contains(self) }
        }
        public let kind: Kind
        public let message: String
        public var description: String { message }
    }

    public let strict: Bool
    public let problems: [Problem]

    /// Exit status for the run: see `Problem.Kind.alwaysFails`; every other problem only in strict mode.
    public var failed: Bool { problems.contains { $0.kind.alwaysFails } || (strict && !problems.isEmpty) }

    /// - Parameters:
    ///   - configurationError: why the configuration could not be read (a malformed `.env.local`), if it could not.
    ///   - outputErrors: the outputs that failed (the secret scan, a push), with what they said.
    public init(outcome: RunOutcome, configuration: Configuration, configurationError: String? = nil,
                outputErrors: [(Problem.Kind, String)] = []) {
        strict = configuration.bool(.strict)
        let log = outcome.log
        var problems: [Problem] = []
        if let configurationError {
            problems.append(Problem(kind: .configuration, message: "the configuration could not be read: \(configurationError)"))
        }
        if let stop = outcome.stop {
            problems.append(Problem(kind: .stopped, message: "stopped before testing, at the \(stop.stage) stage: \(stop.reason)"))
        } else if outcome.kind == .suite {
            if !log.runEnded {
                problems.append(Problem(kind: .incomplete, message: "the event stream has no runEnded: the test process ended before the run did"))
            }
            if let status = outcome.testExitStatus, status != 0, log.failed == 0 {
                problems.append(Problem(kind: .incomplete, message: "swift test exited with status \(status) and no case failed (a crash, a signal or a build problem)"))
            }
        }
        let failed = log.cases.filter { $0.verdict == .failed }
        if !failed.isEmpty {
            let rerun = failed.lazy.compactMap(\.filter).first.map { " (one alone: swift test --filter '\($0)')" } ?? ""
            problems.append(Problem(kind: .failedCases, message: "\(failed.count) case(s) failed: " + failed.map(\.id).joined(separator: ", ") + rerun))
        }
        if outcome.stop == nil, log.cases.filter({ $0.verdict != .skipped }).isEmpty {
            problems.append(Problem(kind: .noCases, message: log.cases.isEmpty
                ? "no case ran (does the filter match any Staging case?)"
                : "no case ran its check: all \(log.cases.count) were skipped"))
        }
        // A run that stopped before testing has no cases and no target to judge: its stop is the problem.
        for capability in configuration.declaredCapabilities where outcome.stop == nil {
            if let missing = configuration.missing(capability) {
                problems.append(Problem(kind: .missingCapability, message: "declared capability missing: \(missing)"))
            }
        }
        let allowed = SkipAllowance.parse(configuration.text(.allowSkip))
        for error in allowed.errors { problems.append(Problem(kind: .configuration, message: error)) }
        for skip in log.cases where skip.verdict == .skipped && allowed.reason(for: skip.id) == nil {
            problems.append(Problem(kind: .unlistedSkip, message: "skipped, not in ANON_E2E_ALLOW_SKIP: \(skip.id) (\(skip.reason ?? "no reason"))"))
        }
        for (kind, message) in outputErrors { problems.append(Problem(kind: kind, message: message)) }
        self.problems = problems
    }
}

/// `ANON_E2E_ALLOW_SKIP`: the skips a team accepts, `Suite/case: reason`
/// separated by `;` or new lines. A trailing `*` matches a prefix.
public struct SkipAllowance: Sendable {
    public let entries: [(pattern: String, reason: String)]
    public let errors: [String]

    public static func parse(_ text: String) -> SkipAllowance {
        var entries: [(String, String)] = []
        var errors: [String] = []
        for raw in text.split(whereSeparator: { $0 == ";" || $0 == "\n" }) {
            let entry = raw.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty { continue }
            guard let colon = entry.firstIndex(of: ":"),
                  case let reason = entry[entry.index(after: colon)...].trimmingCharacters(in: .whitespaces), !reason.isEmpty else {
                errors.append("ANON_E2E_ALLOW_SKIP entry '\(entry)' has no reason: write 'Suite/case: why the team accepts the skip'")
                continue
            }
            entries.append((entry[..<colon].trimmingCharacters(in: .whitespaces), reason))
        }
        return SkipAllowance(entries: entries, errors: errors)
    }

    /// The reason the team gave for skipping this case, if it did.
    public func reason(for id: String) -> String? {
        entries.first { pattern, _ in pattern.hasSuffix("*") ? id.hasPrefix(pattern.dropLast()) : id == pattern }?.reason
    }
}

extension RunVerdict {
    /// The verdict as the console ends with it: the skips, every problem, and
    /// the closing `passed|FAILED: N passed, N failed, N skipped` line.
    public func consoleLines(log: TestEventLog, target: String) -> [String] {
        var lines = ["", "anon-e2e verdict for \(target) (\(strict ? "strict" : "not strict: problems do not fail the run")):"]
        for item in log.cases where item.verdict == .skipped { lines.append("  skipped \(item.id): \(item.reason ?? "no reason")") }
        for problem in problems { lines.append("  \(strict || problem.kind.alwaysFails ? "✘" : "!!") \(problem.message)") }
        if problems.isEmpty { lines.append("  ✔ every case ran its check and held") }
        lines.append("\(failed ? "FAILED" : "passed"): \(log.summaryLine)")
        return lines
    }
}
