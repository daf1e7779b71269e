import Foundation
import Testing
@testable import Contract
@testable import Transport

private let probeConnection = ProcessInfo.processInfo.environment["ANON_E2E_PROBE_DB"]

/// The SQL assertion files cannot pass on nothing: headers are strict, and a
/// "no rows" assertion needs a subject that finds the rows under test.
@Suite("SQL assertion files: no pass on nothing")
struct SQLAssertionFileTests {
    @Test("a misspelled header is an error naming its line; prose comments are not headers")
    func unknownHeader() throws {
        let error = #expect(throws: SQLAssertionFile.FormatError.self) {
            try SQLAssertionFile(name: "x.sql", text: "-- Parameters: prose\n-- assert: a\n-- expects: rows = 1\nSELECT 1;\n")
        }
        #expect(error?.description.contains("line 3") == true && error?.description.contains("expects") == true, "\(String(describing: error))")
    }

    @Test("an assertion without expect, and a no-rows assertion without a subject, are errors")
    func missingParts() {
        #expect(throws: SQLAssertionFile.FormatError.self) { try SQLAssertionFile(name: "x.sql", text: "-- assert: a\nSELECT 1;\n") }
        let error = #expect(throws: SQLAssertionFile.FormatError.self) {
            try SQLAssertionFile(name: "x.sql", text: "-- assert: a\n-- expect: no rows\nSELECT 1 WHERE false;\n")
        }
        #expect(error?.description.contains("subject") == true)
    }

    @Test("the project's own assertion files parse, and each no-rows assertion has a subject")
    func projectFiles() throws {
        let sql = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sql")
        for name in ["assertions.sql", "assertions_extra.sql", "assertions_registered.sql"] {
            let file = try SQLAssertionFile(contentsOf: sql.appendingPathComponent(name))
            #expect(!file.assertions.isEmpty, "\(name) has no assertions")
            for assertion in file.assertions where assertion.expectation == .noRows {
                #expect(!assertion.subjectSQL.isEmpty, "\(name): \(assertion.name)")
            }
        }
    }

    @Test("no violation among no rows at all fails: the subject found nothing", .enabled(if: probeConnection != nil, "set ANON_E2E_PROBE_DB"))
    func subjectGuards() throws {
        let session = try PostgresSession(probeConnection ?? "")
        let file = try SQLAssertionFile(name: "x.sql", text: """
            -- assert: no_bad_names
            -- expect: no rows
            -- why: rows of the wanted id have a name
            SELECT id FROM probe WHERE id = :id::int AND name IS NULL;
            -- subject: the rows of the wanted id
            SELECT id FROM probe WHERE id = :id::int;
            """)
        let present = try #require(file.run(on: session, parameters: ["id": "1"]).first)
        #expect(present.passed)
        let absent = try #require(file.run(on: session, parameters: ["id": "42"]).first)
        #expect(!absent.passed, "a wrong id matched nothing and the assertion passed")
        #expect(absent.failure?.contains("found none") == true)
        let violated = try #require(file.run(on: session, parameters: ["id": "2"]).first)
        #expect(!violated.passed)
    }
}
