import ArgumentParser
import Foundation
import Contract
import Evidence
import RunReporting

/// `anon-e2e export postman`: the loop's calls as a Postman v2.1 collection and
/// environment, for a Newman regression job; `--replay` sends the written
/// collection's calls to the configured backend and checks what its scripts state.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the loop's calls for other tools.",
        subcommands: [Postman.self]
    )

    struct Postman: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a Postman v2.1 collection and environment (sign-in, a JSON message, each refusal with its K1 checks)."
        )

        @Option(name: .long, help: "The folder for anon-e2e.postman_collection.json and anon-e2e.postman_environment.json.")
        var out = "artifacts/postman"

        @Flag(name: .long, help: "Then send the written collection's calls to the configured backend and check them.")
        var replay = false

        func run() async throws {
            let configuration = try Configuration.load()
            let folder = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let collectionFile = folder.appendingPathComponent("anon-e2e.postman_collection.json")
            let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try JSONSerialization.data(withJSONObject: PostmanCollection.collection(PostmanCollection.calls(configuration)), options: options)
                .write(to: collectionFile)
            try JSONSerialization.data(withJSONObject: PostmanCollection.environment(configuration), options: options)
                .write(to: folder.appendingPathComponent("anon-e2e.postman_environment.json"))
            print("wrote \(collectionFile.path) and anon-e2e.postman_environment.json (set SUPABASE_ANON_KEY in the environment)")
            guard replay else { return }

            for key in [ConfigurationKey.supabaseURL, .supabaseAnonKey, .apiBase] where configuration[key] == nil {
                throw ValidationError("--replay needs \(key.name)")
            }
            let calls = try PostmanCollection.replayable(Data(contentsOf: collectionFile))
            let variables = ["SUPABASE_URL": configuration[.supabaseURL]!, "API_BASE": configuration[.apiBase]!,
                             "SUPABASE_ANON_KEY": configuration[.supabaseAnonKey]!]
            let redactor = Redactor(configuration: configuration)
            let target = StagingBackend(configuration: configuration, redactor: redactor).template
            let outcomes = await PostmanReplay(template: target).run(calls, variables: variables)
            for outcome in outcomes {
                print("\(outcome.passed ? "✔" : "✘") \(outcome.call.name)")
                for verdict in outcome.verdicts where !verdict.passed {
                    print("    ✘ \(verdict.check): \(redactor.redact(verdict.detail ?? ""))")
                }
            }
            let failed = outcomes.filter { !$0.passed }.count
            print("\(outcomes.count - failed) passed, \(failed) failed")
            if failed > 0 || outcomes.isEmpty { throw ExitCode(1) }
        }
    }
}
