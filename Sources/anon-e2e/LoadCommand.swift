import ArgumentParser
import Foundation
import LoadRunner
import Protocols
import Contract
import Evidence
import Transport
import RunReporting

/// `anon-e2e load`: the stability plan's runner (seed 004).
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Soak, burst and fault runs against the target, every closure checked; a locustfile for load beyond one machine.",
        subcommands: [LoadSoakCommand.self, LoadBurstCommand.self, LoadExportLocustCommand.self, LoadLocustStatsCommand.self]
    )
}

struct LoadOptions: ParsableArguments {
    @Option(name: .long, help: "Where the report goes (load.md, load.html, load.json).")
    var out = "artifacts/load"

    @Option(name: .long, help: "A file holding the backend's pid, for its RSS and descriptors (e.g. from `ci/local-stack pid`).")
    var backendPIDFile: String?

    func configuration() throws -> Configuration {
        let configuration = try Configuration.load()
        for key in [ConfigurationKey.supabaseURL, .supabaseAnonKey, .apiBase] where configuration[key] == nil {
            throw ValidationError("\(key.name) is not set: the load needs the auth and the API")
        }
        return configuration
    }

    var backendPID: @Sendable () -> Int32? {
        let path = backendPIDFile
        return { path.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
    }

    func write(_ outcome: LoadRun.Outcome, redactor: Redactor) throws -> LoadReport {
        let report = LoadReport(outcome: outcome)
        let directory = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(redactor.redact(report.markdown).utf8).write(to: directory.appendingPathComponent("load.md"))
        try Data(redactor.redact(report.html).utf8).write(to: directory.appendingPathComponent("load.html"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try (try encoder.encode(outcome)).write(to: directory.appendingPathComponent("load.json"))
        return report
    }
}

/// `anon-e2e load soak`: a steady rate of checked closures; with `--fault`s, the faults on a schedule through a proxy.
struct LoadSoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "A steady rate of checked closures for a duration; with --fault, faults injected on a schedule and recovery timed."
    )

    @OptionGroup var options: LoadOptions

    @Option(name: .long, help: "Seconds to run.")
    var duration = 120.0

    @Option(name: .long, help: "Closures started a second.")
    var rate = 2.0

    @Option(name: .long, help: "Anonymous users (identities spent).")
    var users = 8

    @Option(name: .long, help: """
        A fault, in order, spread over the run: app=COMMAND (kill and restart the backend), db=COMMAND (restart the database), \
        latency=MS[±JITTER]:SECONDS, loss=PERCENT:SECONDS, cut=SECONDS. Network faults go through a proxy the runner puts in front of a loopback API_BASE.
        """)
    var fault: [String] = []

    @Option(name: .long, help: "The longest a fault's recovery may take, in seconds: from its start to the first admitted request after its outage.")
    var rtoCeiling = LoadRun.Settings().rtoCeiling

    @Option(name: .long, help: "The floor of the success rate of the closures that started outside the fault windows (0 to 1).")
    var minimumSuccessRate = LoadRun.Settings().minimumSuccessRateOutsideFaults

    func run() async throws {
        let configuration = try options.configuration()
        var faults: [FaultPlan.Fault] = []
        for text in fault { faults.append(try Self.parse(text)) }
        var proxy: TCPFaultProxy?
        var target = configuration
        if faults.contains(where: { if case .network = $0 { true } else { false } }) {
            guard let api = URLComponents(string: configuration.text(.apiBase)), ["127.0.0.1", "localhost"].contains(api.host ?? ""), let port = api.port else {
                throw ValidationError("network faults need a loopback API_BASE (the local stack); got '\(configuration.text(.apiBase))'")
            }
            let running = try TCPFaultProxy(upstreamPort: UInt16(port))
            proxy = running
            var values = configuration.values
            for key in [ConfigurationKey.apiBase, .supabaseURL] {
                values[key.name] = configuration.text(key).replacingOccurrences(of: ":\(port)", with: ":\(running.port)")
            }
            target = Configuration(values: values)
        }
        var settings = LoadRun.Settings()
        settings.duration = duration
        settings.closuresPerSecond = rate
        settings.users = users
        settings.rtoCeiling = rtoCeiling
        settings.minimumSuccessRateOutsideFaults = minimumSuccessRate
        let redactor = Redactor(configuration: target)
        let run = LoadRun(backend: StagingBackend(configuration: target, redactor: redactor), databaseURL: configuration[.dbConn], settings: settings)
        print("load: \(faults.isEmpty ? "soak" : "soak with faults") for \(Int(duration)) s at \(rate) closures/s over \(users) users; faults: " +
              (faults.isEmpty ? "none" : faults.map(\.name).joined(separator: ", ")))
        let outcome = await run.soak(plan: .spread(faults, over: duration), proxy: proxy, backendPID: options.backendPID)
        proxy?.stop()
        let report = try options.write(outcome, redactor: redactor)
        print(report.markdown)
        print("report: \(options.out)/load.html")
        if !outcome.passed { throw ExitCode(1) }
    }

    static func parse(_ text: String) throws -> FaultPlan.Fault {
        let (kind, value) = (String(text.prefix { $0 != "=" }), String(text.drop { $0 != "=" }.dropFirst()))
        func seconds(_ part: Substring?) throws -> Double {
            guard let part, let value = Double(part) else { throw ValidationError("\(text): the fault needs :SECONDS") }
            return value
        }
        switch kind {
        case "app", "db":
            guard !value.isEmpty else { throw ValidationError("\(text): give the command, e.g. app='ci/local-stack restart-app'") }
            return .command(name: kind == "app" ? "backend killed and restarted" : "database restarted", shell: value)
        case "latency":
            let parts = value.split(separator: ":")
            let delay = parts.first?.split(separator: "±") ?? []
            guard let ms = delay.first.flatMap({ Int($0) }) else { throw ValidationError("\(text): latency=MS[±JITTER]:SECONDS") }
            let jitter = delay.dropFirst().first.flatMap { Int($0) } ?? 0
            return .network(name: "latency \(ms)±\(jitter) ms", mode: .latency(milliseconds: ms, jitter: jitter), seconds: try seconds(parts.dropFirst().first))
        case "loss":
            let parts = value.split(separator: ":")
            guard let percent = parts.first.flatMap({ Double($0) }) else { throw ValidationError("\(text): loss=PERCENT:SECONDS") }
            return .network(name: "loss \(HTMLPage.short(percent))%", mode: .loss(probability: percent / 100), seconds: try seconds(parts.dropFirst().first))
        case "cut":
            return .network(name: "network cut", mode: .cut, seconds: try seconds(Substring(value)))
        default:
            throw ValidationError("\(text): a fault is app=…, db=…, latency=…, loss=… or cut=…")
        }
    }
}

/// `anon-e2e load burst`: a ramp over the limits.
struct LoadBurstCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "burst",
        abstract: "A ramp to users × streams-per-user concurrent streams: over-limit requests must be 429 and admitted again after Retry-After."
    )

    @OptionGroup var options: LoadOptions

    @Option(name: .long, help: "Anonymous users.")
    var users = 4

    @Option(name: .long, help: "The ramp's top: concurrent streams per user (above the contract's limit, to go over it).")
    var streamsPerUser = 4

    func run() async throws {
        let configuration = try options.configuration()
        let redactor = Redactor(configuration: configuration)
        let run = LoadRun(backend: StagingBackend(configuration: configuration, redactor: redactor), databaseURL: configuration[.dbConn], settings: LoadRun.Settings())
        print("load: burst, \(users) users, up to \(streamsPerUser) concurrent streams each")
        let outcome = await run.burst(users: users, streamsPerUser: streamsPerUser, backendPID: options.backendPID)
        let report = try options.write(outcome, redactor: redactor)
        print(report.markdown)
        print("report: \(options.out)/load.html")
        if !outcome.passed { throw ExitCode(1) }
    }
}

/// `anon-e2e load export-locust`: the closure as a locustfile.
struct LoadExportLocustCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-locust",
        abstract: "Write a locustfile that performs the same checked closure, for Locust's distributed master/worker load."
    )

    @Option(name: .long, help: "Where to write it.")
    var out = "artifacts/load/locustfile.py"

    @Option(name: .long, help: "The stream's dialect it sends and reads (native, openai-chat, openai-responses, anthropic, ai-sdk-ui, custom); STREAM_DIALECT's by default.")
    var dialect: String?

    func run() throws {
        let configuration = try Configuration.load()
        if let dialect, !StreamDialects.names.contains(dialect) {
            throw ValidationError("--dialect \(dialect) is not one of \(StreamDialects.names.joined(separator: ", "))")
        }
        let url = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(LocustFile.text(configuration: configuration, dialect: dialect).utf8).write(to: url)
        print(out)
    }
}

/// `anon-e2e load locust-stats`: whether a Locust run of the exported locustfile passed, from its `--csv` statistics.
struct LoadLocustStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "locust-stats",
                                                    abstract: "Judge a Locust run from its stats_stats.csv: messages streamed, none failed, sign-ins made.")

    @Argument(help: "Locust's stats_stats.csv.")
    var stats: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: stats), !data.isEmpty else {
            throw ValidationError("Locust wrote no statistics at \(stats)")
        }
        let judged = try LocustStats(csv: String(decoding: data, as: UTF8.self))
        print(judged.summary)
        for problem in judged.problems { print("FAIL \(problem)") }
        if !judged.problems.isEmpty { throw ExitCode(1) }
    }
}
