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

    @Test("a deployment sets the defaults it decides; a variable that is set wins over them")
    func deploymentDefaults() {
        let cli = Configuration(values: ["SUPABASE_DEPLOYMENT": "cli", "SUPABASE_URL": "http://localhost:54321"])
        #expect(cli.bool(.apikeyChecked) == false)
        #expect(cli[.jwtIssuer] == "http://127.0.0.1:54321/auth/v1")
        let selfHosted = Configuration(values: ["SUPABASE_DEPLOYMENT": "self-hosted", "JWT_ISSUER": "https://auth.example.com/auth/v1"])
        #expect(selfHosted[.jwtIssuer] == "https://auth.example.com/auth/v1", "a JWT_ISSUER that is set wins")
        #expect(selfHosted[.apikeyWrongMessage] == "Invalid authentication credentials")
        #expect(selfHosted.deploymentLines.contains("  JWT_ISSUER=https://auth.example.com/auth/v1 (set)"))
        let hosted = Configuration(values: [:])
        #expect(hosted.deployment == .hosted && hosted.bool(.apikeyChecked) && hosted[.jwtIssuer] == nil)
    }

    @Test("every typed setting has one default of its type, read without a fallback at the call site")
    func typedDefaults() {
        for key in ConfigurationKey.all where key.kind != .text {
            let valid = if case let .oneOf(words) = key.kind { key.defaultValue.map(words.contains) ?? false }
                else { key.defaultValue.flatMap { Configuration.parse($0, as: key.kind) } != nil }
            #expect(valid, "\(key.name): default \(key.defaultValue ?? "none") is not \(key.kind)")
        }
        let configuration = Configuration(values: ["ANON_QPS_LIMIT": "7", "SSE_PING_INTERVAL": "1.5", "ANON_E2E_STRICT": "off"])
        #expect(configuration.int(.anonymousQPS) == 7)
        #expect(configuration.duration(.pingInterval) == .milliseconds(1500))
        #expect(configuration.bool(.strict) == false)
        #expect(Configuration(values: [:]).duration(.replyTimeout) == .seconds(120))
        #expect(Configuration(values: [:]).text(.eventDelta) == "delta")
    }

    @Test("a value of the wrong type, or an unknown capability, stops the load naming the variable and the value")
    func invalidValues() throws {
        // A folder with no .env.local: only the environment given counts.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, value, says) in [("ANON_QPS_LIMIT", "five", "ANON_QPS_LIMIT=five is not a whole number"),
                                    ("ANON_E2E_REPLY_TIMEOUT", "2m", "ANON_E2E_REPLY_TIMEOUT=2m is not a number of seconds"),
                                    ("ANON_E2E_STRICT", "maybe", "ANON_E2E_STRICT=maybe is not true or false"),
                                    ("SUPABASE_DEPLOYMENT", "supabase.co", "SUPABASE_DEPLOYMENT=supabase.co is not one of hosted, cli, self-hosted, custom"),
                                    ("ANON_E2E_CAPABILITIES", "auth,databse", "ANON_E2E_CAPABILITIES=databse is not a list of capabilities"),
                                    ("STREAM_DIALECT", "openai", "STREAM_DIALECT=openai is not one of native, openai-chat"),
                                    ("REQUEST_TEMPLATE", #"{"prompt": "{{prompt}}""#, "REQUEST_TEMPLATE="),
                                    ("ANON_E2E_IDENTITY_CACHE", "artifacts/identities.json", "is not a file outside artifacts/"),
                                    ("ANON_E2E_LURE_CONTROL", "/api/v1/link-preview", "is not METHOD /path with {url}")] {
            let error = #expect(throws: Configuration.InvalidValue.self) {
                try Configuration.load(environment: [name: value], directory: directory.path)
            }
            #expect(error.map(String.init(describing:))?.contains(says) == true, "\(name): \(error.map(String.init(describing:)) ?? "no error")")
        }
    }
}
