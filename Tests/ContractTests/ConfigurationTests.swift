import Foundation
import Testing
@testable import Contract

@Suite("Configuration and .env files")
struct ConfigurationTests {
    @Test("dotenv: comments, quotes, export prefix, inline comments, escapes")
    func dotenv() throws {
        let text = """
        # a comment
        SUPABASE_URL=http://127.0.0.1:54321
        export API_BASE = http://127.0.0.1:8080   # trailing comment
        SINGLE='literal \\n # not a comment'
        DOUBLE="line\\nnext \\"quoted\\""
        EMPTY=
        HASH=abc#def

        """
        let values = try DotEnv.parse(text)
        #expect(values["SUPABASE_URL"] == "http://127.0.0.1:54321")
        #expect(values["API_BASE"] == "http://127.0.0.1:8080")
        #expect(values["SINGLE"] == "literal \\n # not a comment")
        #expect(values["DOUBLE"] == "line\nnext \"quoted\"")
        #expect(values["EMPTY"] == "")
        #expect(values["HASH"] == "abc#def")
    }

    @Test("dotenv: a broken line names its number")
    func dotenvErrors() {
        #expect(throws: DotEnv.SyntaxError.self) { try DotEnv.parse("A=1\nnot a pair\n") }
        let error = #expect(throws: DotEnv.SyntaxError.self) { try DotEnv.parse("A=\"open\n") }
        #expect(error?.line == 1)
    }

    @Test("the process environment wins over .env.local; defaults fill the rest")
    func precedence() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("anon-e2e-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "API_BASE=http://from-file\nSUPABASE_URL=http://file-auth\n".write(to: directory.appendingPathComponent(".env.local"), atomically: true, encoding: .utf8)
        let configuration = try Configuration.load(environment: ["API_BASE": "http://from-process"], directory: directory.path)
        #expect(configuration[.apiBase] == "http://from-process")
        #expect(configuration[.supabaseURL] == "http://file-auth")
        #expect(configuration[.messagesPath] == "/api/v1/messages")
        #expect(configuration.int(.anonymousStreams) == 2)
    }

    @Test("a missing capability names the missing variables")
    func missingCapability() throws {
        let configuration = Configuration(values: ["SUPABASE_URL": "http://x"])
        let missing = try #require(configuration.missing(.auth))
        #expect(missing.missing == [["SUPABASE_ANON_KEY"]])
        #expect(missing.description.contains("SUPABASE_ANON_KEY"))
        #expect(configuration.missing(.signingKey)?.description.contains("SUPABASE_JWT_SECRET, or ANON_E2E_SIGNING_JWK") == true)
        #expect(throws: MissingCapability.self) { try configuration.require(.database) }
        #expect(Configuration(values: ["SUPABASE_JWT_SECRET": "s"]).has(.signingKey))
    }

    @Test(".env.example documents every variable with the contract's default")
    func envExampleIsComplete() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".env.example")
        let documented = try DotEnv.parse(String(contentsOf: url, encoding: .utf8))
        for key in ConfigurationKey.all {
            #expect(documented[key.name] != nil, "\(key.name) is not in .env.example")
            if let value = key.defaultValue { #expect(documented[key.name] == value, "\(key.name) default") }
        }
    }
}
