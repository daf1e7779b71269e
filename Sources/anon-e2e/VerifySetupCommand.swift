import ArgumentParser
import Foundation
import TestSupport

/// `anon-e2e verify-setup`: which capabilities the configuration enables,
/// and what each missing one needs.
struct VerifySetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-setup",
        abstract: "Say which capabilities the configuration enables and what is missing."
    )

    @Option(name: .long, parsing: .upToNextOption, help: "Capabilities that must be there (exit 1 otherwise): \(Capability.allCases.map(\.rawValue).joined(separator: ", ")).")
    var require: [String] = []

    func run() throws {
        let configuration = try Configuration.load()
        print("configuration: environment" + (configuration.envFile.map { " + \($0)" } ?? " (no .env.local)"))
        var failed = false
        for capability in Capability.allCases {
            if let missing = configuration.missing(capability) {
                print("  ✘ \(capability.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) missing: \(missing.missing.map { $0.joined(separator: " + ") }.joined(separator: " or "))")
                if require.contains(capability.rawValue) { failed = true }
            } else {
                print("  ✔ \(capability.rawValue)")
            }
        }
        for name in require where Capability(rawValue: name) == nil {
            throw ValidationError("unknown capability '\(name)'")
        }
        if failed { throw ExitCode(1) }
    }
}
