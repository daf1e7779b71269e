import ArgumentParser

@main
struct AnonE2E: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anon-e2e",
        abstract: "Tools of the AnonE2E suite: watch an SSE stream, check the configuration, report, keep the history, run the daily check.",
        subcommands: [StreamCommand.self, VerifySetupCommand.self, FinishCommand.self, VerdictCommand.self, ScanSecretsCommand.self, RedactCommand.self,
                      CoverageCommand.self, CasesCommand.self, TimingCommand.self, ProveCommand.self, ExportCommand.self, HistoryCommand.self, DashboardCommand.self, DailyCommand.self, LoadCommand.self]
    )
}
