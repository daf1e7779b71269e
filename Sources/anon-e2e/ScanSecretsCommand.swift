import ArgumentParser
import Foundation
import TestSupport

/// `anon-e2e scan-secrets DIR`: proves no artifact holds a configured secret
/// or a whole signed token (the redactor's guarantee, checked on disk).
struct ScanSecretsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan-secrets",
        abstract: "Fail when a file under DIR contains a configured secret or a whole signed JWT."
    )

    @Argument(help: "The folder to scan (a run's artifacts).")
    var directory: String = "artifacts/latest"

    func run() throws {
        let configuration = try Configuration.load()
        let secrets = configuration.secrets.filter { $0.count >= 6 }
        let token = try NSRegularExpression(pattern: #"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"#)
        let root = URL(fileURLWithPath: directory).resolvingSymlinksInPath()
        var leaks: [String] = []
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        for file in files where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            for (index, secret) in secrets.enumerated() where text.contains(secret) {
                leaks.append("\(file.path): configured secret #\(index + 1)")
            }
            if token.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil {
                leaks.append("\(file.path): a whole signed JWT")
            }
        }
        guard leaks.isEmpty else {
            leaks.forEach { FileHandle.standardError.write(Data("leak: \($0)\n".utf8)) }
            throw ExitCode(1)
        }
        print("no secret in \(files.count) files under \(root.path)")
    }
}
