import Foundation

/// The faults a soak injects, on a schedule: the backend killed and
/// restarted, the database restarted (each by a command the caller names,
/// e.g. `ci/local-stack restart-app`), and network faults through the proxy.
public struct FaultPlan: Sendable {
    public enum Fault: Sendable, Equatable {
        case command(name: String, shell: String)
        case network(name: String, mode: TCPFaultProxy.Mode, seconds: Double)

        public var name: String {
            switch self {
            case let .command(name, _), let .network(name, _, _): name
            }
        }
    }

    public struct Step: Sendable {
        public var at: Double
        public var fault: Fault
    }

    public var steps: [Step]

    public init(steps: [Step]) { self.steps = steps.sorted { $0.at < $1.at } }

    /// Spread over a soak of `duration` seconds: each fault at its share of the
    /// middle of the run, so there is steady traffic before and after each.
    public static func spread(_ faults: [Fault], over duration: Double) -> FaultPlan {
        let gap = duration / Double(faults.count + 1)
        return FaultPlan(steps: faults.enumerated().map { Step(at: gap * Double($0.offset + 1), fault: $0.element) })
    }

    /// Runs a command through the shell; its failure is the run's.
    static func shell(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LoadRun.RunError(description: "the fault command `\(command)` exited \(process.terminationStatus)")
        }
    }
}
