import Foundation
import Synchronization
import Testing
import AnonE2ETesting
import Contract
@testable import Evidence
@testable import Protocols
@testable import Transport

@Suite("Evidence: redaction before anything reaches the disk")
struct EvidenceRecorderTests {
    // Planted secrets, one per kind the suite handles.
    static let signature = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    static let jwt = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0In0.\(signature)"
    static let anonKey = "sb_publishable_PLANTEDanonKEY0123456789"
    static let jwtSecret = "super-secret-jwt-token-with-at-least-32-characters"
    static let dbPassword = "pl@nted/db\"pass"
    static let refreshToken = "rt-planted-7f3a9c"
    static let dbConn = "postgresql://reader:pl%40nted%2Fdb%22pass@127.0.0.1:5432/app"

    let root = FileManager.default.temporaryDirectory.appendingPathComponent("anon-e2e-evidence-\(UUID())")

    func recorder() -> EvidenceRecorder {
        let configuration = Configuration(values: ["SUPABASE_ANON_KEY": Self.anonKey, "SUPABASE_JWT_SECRET": Self.jwtSecret, "DB_CONN": Self.dbConn])
        let redactor = Redactor(secrets: configuration.secrets + [Self.dbPassword])
        redactor.register(Self.refreshToken)
        return EvidenceRecorder(root: root, runID: "run-1", redactor: redactor)
    }

    var everySecret: [String] { [Self.signature, Self.anonKey, Self.jwtSecret, Self.dbPassword, "pl%40nted%2Fdb%22pass", Self.refreshToken] }

    @Test("no planted secret survives in any artifact kind")
    func plantedSecretsNeverReachDisk() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let recorder = recorder()
        let attached = Mutex<[String: [UInt8]]>([:])
        recorder.addSink { name, bytes in attached.withLock { $0[name] = bytes } }

        // text: a log line with headers and a connection string
        try recorder.record("run.log", text: """
            Authorization: Bearer \(Self.jwt)
            apikey: \(Self.anonKey)
            DB_CONN=\(Self.dbConn)
            host=db password=\(Self.dbPassword) dbname=app
            jwt secret is \(Self.jwtSecret)
            """)
        // JSON: a GoTrue session
        struct Session: Encodable { let access_token: String; let refresh_token: String; let note: String }
        try recorder.record("token.json", json: Session(access_token: Self.jwt, refresh_token: Self.refreshToken, note: Self.dbPassword))
        // an HTTP exchange
        var request = RequestTemplate().json(.post, "http://127.0.0.1/api/v1/messages?apikey=\(Self.anonKey)", #"{"password":"\#(Self.dbPassword)"}"#)
        request.headers.add("Authorization", "Bearer \(Self.jwt)")
        request.headers.add("apikey", Self.anonKey)
        let response = HTTPResponse(head: ResponseHead(status: 200, httpVersion: "1.1", headers: ["Set-Cookie": "sb=\(Self.refreshToken)"]),
                                    body: Array(#"{"access_token":"\#(Self.jwt)","refresh_token":"\#(Self.refreshToken)"}"#.utf8),
                                    timings: TransferTimings(), started: .now)
        try recorder.record("policy_share.json", json: HTTPExchangeRecord(request: request, response: response))
        // an SSE transcript
        var transcript = EventTranscript(started: .now)
        transcript.append(.event(ServerSentEvent(type: "meta", data: #"{"token":"\#(Self.jwt)"}"#)))
        transcript.append(.comment(" \(Self.jwtSecret)", arrival: .now))
        try recorder.record("sse.log", text: transcript.text)
        // a Markdown report and raw bytes
        try recorder.record("db_assert_report.md", text: "| conn | \(Self.dbConn) |\n| key | \(Self.anonKey) |")
        try recorder.record("body.bin", bytes: Array("refresh=\(Self.refreshToken)".utf8))

        let files = try FileManager.default.contentsOfDirectory(atPath: recorder.directory.path)
        #expect(Set(files) == ["run.log", "token.json", "policy_share.json", "sse.log", "db_assert_report.md", "body.bin"])
        for file in files {
            let text = try String(contentsOf: recorder.directory.appendingPathComponent(file), encoding: .utf8)
            for secret in everySecret {
                #expect(!text.contains(secret), "\(file) leaks \(secret)")
            }
            #expect(attached.withLock { $0[file] } == Array(text.utf8), "\(file): the attachment is the redacted file")
        }
        let token = try String(contentsOf: recorder.directory.appendingPathComponent("token.json"), encoding: .utf8)
        #expect(token.contains("eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0In0.<redacted>"), "header and claims stay readable")
        let latest = try FileManager.default.destinationOfSymbolicLink(atPath: root.appendingPathComponent("latest").path)
        #expect(latest == "run-1")
    }

    @Test("artifacts written inside a test are attached to it")
    func attachmentsInsideTests() throws {
        // Runs through the Swift Testing sink; the attachment shows in the test's output.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("attach-\(UUID().uuidString)").path
        let recorder = StagingContext(configuration: Configuration(values: ["SUPABASE_ANON_KEY": Self.anonKey, "ANON_E2E_ARTIFACTS": root])).evidence
        let url = try recorder.record("evidence-self-test.txt", text: "apikey: \(Self.anonKey)")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try String(contentsOf: url, encoding: .utf8) == "apikey: <redacted>")
    }
}

@Suite("Redactor rules without registered secrets")
struct RedactorRuleTests {
    @Test("each rule masks what it names", arguments: [
        ("Authorization: Bearer abc.def", "Authorization: Bearer <redacted>"),
        ("apikey: sb_publishable_x", "apikey: <redacted>"),
        (#"{"apikey":"k","refresh_token":"r","password":"p"}"#, #"{"apikey":"<redacted>","refresh_token":"<redacted>","password":"<redacted>"}"#),
        ("t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.<redacted>"),
        ("postgresql://u:secret@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("host=h password='a b' dbname=x", "host=h password=*** dbname=x"),
    ])
    func rule(_ input: String, _ expected: String) {
        #expect(Redactor().redact(input) == expected)
    }
}
