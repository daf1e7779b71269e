#if canImport(Glibc)
import Glibc
#endif
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

    /// Runs a command through the shell and waits for it; its failure is the
    /// run's. The shell first closes every descriptor past stderr: a backend
    /// it restarts must not inherit the runner's sockets (and keep them open).
    static func shell(_ command: String) throws {
        let script = "for fd in /proc/$$/fd/*; do n=${fd##*/}; [ \"$n\" -gt 2 ] && eval \"exec $n>&-\"; done 2>/dev/null; exec >/dev/null; " + command
        var pid: pid_t = 0
        let arguments = ["/bin/bash", "-c", script]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let spawned = posix_spawn(&pid, "/bin/bash", nil, nil, &argv, environ)
        guard spawned == 0 else { throw LoadRun.RunError(description: "the fault command `\(command)` could not start: \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exited == 0 else {
            throw LoadRun.RunError(description: "the fault command `\(command)` exited \(exited)")
        }
    }
}
