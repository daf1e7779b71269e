import ArgumentParser
import Foundation
import Contract
import Evidence

/// `anon-e2e verify-setup`: which capabilities the configuration enables,
/// and what each missing one needs.
struct VerifySetupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-setup",
        abstract: "Say which capabilities the configuration enables and what is missing."
    )

    @Option(name: .long, parsing: .upToNextOption, help: "Capabilities that must be there (exit 1 otherwise): \(Capability.allCases.map(\.rawValue).joined(separator: ", ")).")
    var require: [String] = []

    @Flag(name: .long, help: "Print only 'staging' when the configuration names a staging (API_BASE), 'local' otherwise; the one place ci/e2e asks.")
    var target = false

    @Flag(name: .long, help: "Ask the project's auth settings (GET /auth/v1/settings) whether the run can start; exit 1 naming each unmet precondition.")
    var preconditions = false

    func run() async throws {
        let configuration: Configuration
        do { configuration = try Configuration.load() } catch {
            FileHandle.standardError.write(Data("anon-e2e: error: the configuration cannot be read: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if target {
            print(configuration[.apiBase] == nil ? "local" : "staging")
            return
        }
        if preconditions {
            // Without the auth capability no case signs in: nothing to ask.
            guard configuration.has(.auth) else { return }
            let backend = StagingBackend(configuration: configuration, redactor: Redactor(configuration: configuration))
            let unmet: [String]
            do {
                unmet = AuthPreconditions(settings: try await backend.auth.settings(), hasRegisteredAccount: configuration.registeredAccount != nil).unmet
            } catch {
                unmet = ["GET \(backend.supabaseURL)/auth/v1/settings failed: \(error)"]
            }
            for line in unmet { print(line) }
            if !unmet.isEmpty { throw ExitCode(1) }
            return
        }
        print("target: \(configuration.targetDescription)")
        print("configuration: environment" + (configuration.envFile.map { " + \($0)" } ?? " (no .env.local)"))
        for line in configuration.deploymentLines { print(line) }
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
        for capability in configuration.declaredCapabilities where !configuration.has(capability) {
            print("  declared in ANON_E2E_CAPABILITIES but missing: \(capability.rawValue)")
            if configuration.bool(.strict) { failed = true }
        }
        if failed { throw ExitCode(1) }
    }
}
