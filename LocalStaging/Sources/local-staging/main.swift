import Foundation
import Hummingbird
import LocalStagingCore

// LocalStaging: the reference backend of CONTRACT.md. Configured by its
// environment (LocalStaging/README.md lists every variable).
if CommandLine.arguments.dropFirst().first == "--list-faults" {
    for fault in Fault.allCases where !fault.isLoadFault { print("\(fault.rawValue)\t\(fault.rules.joined(separator: " "))\t\(fault.summary)") }
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "--suite-env" {
    // The suite's environment for this LocalStaging (run after it started: its signing key is written then).
    do { print(try Settings().suiteEnvironmentText(), terminator: "") } catch {
        FileHandle.standardError.write(Data("local-staging: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}
do {
    let settings = try Settings()
    let app = try LocalStaging.application(settings: settings)
    try await app.runService()
} catch {
    FileHandle.standardError.write(Data("local-staging: \(error)\n".utf8))
    exit(1)
}
