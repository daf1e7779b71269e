import Foundation
import Testing
@testable import RunReporting
@testable import Evidence
@testable import Protocols

/// The secret scan finds every secret a run handles, in every form, in every
/// kind of output file, and refuses to pass on nothing.
@Suite("Secret scan: canaries of every kind, form and file type")
struct SecretScannerTests {
    /// One canary per kind of secret a run handles.
    static let canaries: [(label: String, value: String)] = [
        // Signed here, so no whole token is committed outside Tests/Fixtures.
        ("access token", JWTSigner.hmac(["alg": .string("HS256")], ["sub": .string("canary")], key: Array("a canary's own key".utf8))),
        ("refresh token", "rt0canary9xq"),
        ("anon key", "sb_publishable_CANARYanonKEY0123"),
        ("JWT secret", "canary-jwt-secret/with+symbols=and more"),
        ("signing JWK", #"{"crv":"P-256","d":"Y2FuYXJ5LWQtdmFsdWU","kty":"EC"}"#),
        ("the d of the signing JWK", "Y2FuYXJ5LWQtdmFsdWU"),
        ("DB password", "pä$$/wörd\"canary"),
        ("service role key", "service-role-CANARY-key-0123456789"),
    ]
    /// Every file type an output can be; each wraps the planted text its own way.
    static let fileTypes: [(ext: String, wrap: @Sendable (String) -> [UInt8])] = [
        ("txt", { Array("log line: \($0)\n".utf8) }),
        ("json", { Array(#"{"note": "\#($0)"}"#.utf8) }),
        ("md", { Array("| cell | `\($0)` |\n".utf8) }),
        ("xml", { Array("<testcase><failure message=\"\($0)\"/></testcase>".utf8) }),
        ("log", { Array("\u{1B}[31m\($0)\u{1B}[0m".utf8) }),
        ("bin", { [0xFF, 0xFE, 0x00, 0xC3] + Array($0.utf8) + [0x80, 0x81] }),
    ]

    let root = FileManager.default.temporaryDirectory.appendingPathComponent("anon-e2e-scan-\(UUID())")

    @Test("every canary, in every form, in every file type, is found: by value and by fingerprint")
    func everyCanaryIsFound() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        var planted = 0
        let byValue = SecretScanner(secrets: Self.canaries.filter { $0.label != "access token" && $0.label != "refresh token" })
        let byHash = SecretScanner(secrets: [], fingerprints: Self.canaries.flatMap { SecretFingerprint.all(label: $0.label, secret: $0.value) })
        for canary in Self.canaries {
            let forms = SecretForms.forms(of: canary.value)
            // base64url is looked for on its own only where it differs from base64 (a + or / in the encoding).
            #expect(Set(forms.map(\.form)).isSuperset(of: ["raw", "base64"]), "\(canary.label): \(forms.map(\.form))")
            for form in forms {
                for type in Self.fileTypes {
                    let bytes = type.wrap(form.text)
                    let file = "\(canary.label)-\(form.form).\(type.ext)"
                    planted += 1
                    let hashed = byHash.scan(bytes, file: file)
                    #expect(hashed.contains { $0.secret == canary.label }, "\(file): not found by fingerprint")
                    if canary.label != "access token" && canary.label != "refresh token" {
                        #expect(byValue.scan(bytes, file: file).contains { $0.secret == canary.label }, "\(file): not found by value")
                    }
                }
            }
        }
        #expect(planted >= 100)
    }

    @Test("the scan of folders finds a canary planted in a file, and a missing or empty folder is an error")
    func foldersAndNothing() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let run = root.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: run.appendingPathComponent("nested"), withIntermediateDirectories: true)
        try Data("clean\n".utf8).write(to: run.appendingPathComponent("clean.txt"))
        let secret = "canary-jwt-secret/with+symbols=and more"
        try Data(SecretForms.forms(of: secret).first { $0.form == "percent-encoded" }!.text.utf8).write(to: run.appendingPathComponent("nested/leak.log"))
        let scanner = SecretScanner(secrets: [("SUPABASE_JWT_SECRET", secret)])
        let result = try scanner.scan(paths: [run.path])
        #expect(result.files == 2)
        #expect(result.leaks.map(\.secret) == ["SUPABASE_JWT_SECRET"])
        #expect(result.leaks.first?.description.contains(secret) == false, "a leak report must not repeat the secret")
        #expect(throws: SecretScanner.NothingToScan.self) { try scanner.scan(paths: [root.appendingPathComponent("missing").path]) }
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: SecretScanner.NothingToScan.self) { try scanner.scan(paths: [empty.path]) }
    }

    @Test("a whole signed JWT is found even in a file that is not UTF-8")
    func signedTokenInBinary() {
        let bytes: [UInt8] = [0xFF, 0x00] + Array(Self.canaries[0].value.utf8) + [0xC3]
        #expect(SecretScanner(secrets: []).scan(bytes, file: "x.bin").contains { $0.secret == "a whole signed JWT" })
    }

    @Test("the redactor masks every form of a registered secret")
    func redactorMasksEveryForm() {
        let secret = "canary-jwt-secret/with+symbols=and more"
        let redactor = Redactor(secrets: [secret])
        for form in SecretForms.forms(of: secret) {
            let text = redactor.redact("before \(form.text) after")
            #expect(!text.contains(form.text), "\(form.form) survived: \(text)")
        }
    }
}
