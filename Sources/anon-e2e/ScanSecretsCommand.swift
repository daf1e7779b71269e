import ArgumentParser
import Foundation
import Contract
import Evidence
import Protocols
import RunReporting

/// `anon-e2e scan-secrets PATH…`: proves no output of a run holds a secret
/// it handled (configured or seen at run time), in any form, or a whole
/// signed token: the redactor's promise, checked on disk.
struct ScanSecretsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan-secrets",
        abstract: "Fail when a file under the given paths holds a secret of the run (raw, JSON-escaped, base64, base64url, percent-encoded) or a whole signed JWT."
    )

    @Argument(help: "Files and folders to scan: the run's artifacts, REPORT.md, the JUnit XML, the console log.")
    var paths: [String] = ["artifacts/latest"]

    @Option(name: .long, help: "The fingerprints the test process left (ANON_E2E_FINGERPRINTS); deleted after the scan unless --keep-fingerprints.")
    var fingerprints: String?

    @Flag(name: .long, help: "Keep the fingerprint file.")
    var keepFingerprints = false

    func run() throws {
        let configuration = try Configuration.load()
        var known: [SecretFingerprint] = []
        if let path = fingerprints ?? configuration[.fingerprints], let data = FileManager.default.contents(atPath: path) {
            let decoder = JSONDecoder()
            known = data.split(separator: 10).compactMap { try? decoder.decode(SecretFingerprint.self, from: Data($0)) }
            if !keepFingerprints { try? FileManager.default.removeItem(atPath: path) }
        }
        let scanner = SecretScanner(secrets: configuration.labeledSecrets, fingerprints: known)
        let result: (files: Int, leaks: [SecretScanner.Leak])
        do { result = try scanner.scan(paths: paths) } catch {
            FileHandle.standardError.write(Data("scan-secrets: \(error)\n".utf8))
            throw ExitCode(1)
        }
        guard result.leaks.isEmpty else {
            result.leaks.forEach { FileHandle.standardError.write(Data("leak: \($0)\n".utf8)) }
            throw ExitCode(1)
        }
        print("no secret in \(result.files) files (\(configuration.labeledSecrets.count) configured secrets, \(Set(known.map(\.full)).count) fingerprinted forms of the run's tokens)")
    }
}

/// `anon-e2e redact`: standard input to standard output through the redactor (the console log).
struct RedactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "redact", abstract: "Copy standard input to standard output with every secret masked.")

    func run() throws {
        let redactor = Redactor(configuration: Configuration.loadReporting().0)
        while let line = readLine(strippingNewline: false) {
            FileHandle.standardOutput.write(Data(redactor.redact(line).utf8))
        }
    }
}
