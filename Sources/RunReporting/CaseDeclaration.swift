import Foundation
import Evidence

/// A Staging case as its source declares it: the suite's type, the function, the rule ids of `.rules(...)` and the tags of
/// `.tags(...)` (its own and its suite's). Read from the sources, so the CLI
/// and the scripts know the cases without running the test binary.
public struct CaseDeclaration: Sendable, Equatable {
    public let caseID: CaseID
    public let rules: [String]
    public let tags: [String]
    /// Whether its suite is `.serialized`: its cases run one after another, a chain of the gate's critical path.
    public let serialized: Bool

    /// `Suite/function`, as reports and the history name a case.
    public var id: String { caseID.description }
    /// A `--filter` regular expression that selects this case alone in the test binary.
    public var filter: String { caseID.filter }

    private static let suitePattern = try! NSRegularExpression(
        pattern: #"@Suite\((.*?)\)\s*(?:@\w+\s*)*struct\s+([A-Za-z_][A-Za-z0-9_]*)"#, options: [.dotMatchesLineSeparators])
    private static let testPattern = try! NSRegularExpression(pattern: #"@Test\((.*?)\bfunc\s+([A-Za-z_][A-Za-z0-9_]*)"#, options: [.dotMatchesLineSeparators])
    private static let rulesPattern = try! NSRegularExpression(pattern: #"\.rules\(([^)]*)\)"#)
    private static let idPattern = try! NSRegularExpression(pattern: #""(S\d+\.\d+)""#)
    private static let tagsPattern = try! NSRegularExpression(pattern: #"\.tags\(([^)]*)\)"#)
    private static let tagPattern = try! NSRegularExpression(pattern: #"\.([A-Za-z_][A-Za-z0-9_]*)"#)

    /// Every `@Test` in the `.swift` files of a folder, in file order.
    public static func scan(_ folder: URL) throws -> [CaseDeclaration] {
        var result: [CaseDeclaration] = []
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).filter { $0.pathExtension == "swift" }
        for file in files.sorted(by: { $0.path < $1.path }) {
            let text = try String(contentsOf: file, encoding: .utf8)
            let suites = matches(suitePattern, in: text).map { match in
                (start: Range(match.range, in: text)!.lowerBound,
                 tags: captures(tagsPattern, tagPattern, in: group(1, of: match, in: text)), typeName: group(2, of: match, in: text),
                 serialized: group(1, of: match, in: text).contains(".serialized"))
            }
            for test in matches(testPattern, in: text) {
                let start = Range(test.range, in: text)!.lowerBound
                guard let suite = suites.last(where: { $0.start < start }) else { continue }
                let attributes = group(1, of: test, in: text)
                result.append(CaseDeclaration(caseID: CaseID(suite: suite.typeName, function: group(2, of: test, in: text)),
                                              rules: captures(rulesPattern, idPattern, in: attributes),
                                              tags: suite.tags + captures(tagsPattern, tagPattern, in: attributes), serialized: suite.serialized))
            }
        }
        return result
    }

    private static func matches(_ pattern: NSRegularExpression, in text: String) -> [NSTextCheckingResult] {
        pattern.matches(in: text, range: NSRange(text.startIndex..., in: text))
    }

    private static func group(_ index: Int, of match: NSTextCheckingResult, in text: String) -> String {
        Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
    }

    /// Group 1 of every `inner` match inside group 1 of every `outer` match.
    private static func captures(_ outer: NSRegularExpression, _ inner: NSRegularExpression, in text: String) -> [String] {
        matches(outer, in: text).flatMap { list in
            let body = group(1, of: list, in: text)
            return matches(inner, in: body).map { group(1, of: $0, in: body) }
        }
    }
}
