#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Transport

/// A TCP proxy between the runner and the backend that the runner controls:
/// the network faults of the stability plan without `tc netem`. Latency and
/// jitter delay each chunk; loss appears as TCP shows it to applications, a
/// chunk held for a retransmission timeout; a cut resets every connection and
/// refuses new ones until it ends. Plain sockets and one thread per direction.
public final class TCPFaultProxy: Sendable {
    public enum Mode: Sendable, Equatable {
        case pass
        case latency(milliseconds: Int, jitter: Int)
        /// Each chunk is held 200–1000 ms with this probability (0…1).
        case loss(probability: Double)
        case cut
    }

    public let port: UInt16
    let upstreamPort: UInt16
    let listener: Int32
    let mode = Mutex(Mode.pass)
    let open = Mutex<Set<Int32>>([])
    let stopped = Atomic<Bool>(false)

    public struct ProxyError: Error, CustomStringConvertible { public let description: String }

    /// Listens on a free loopback port and forwards to 127.0.0.1:`upstreamPort`.
    public init(upstreamPort: UInt16) throws {
        self.upstreamPort = upstreamPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProxyError(description: "socket: \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 512) == 0 else { close(fd); throw ProxyError(description: "bind/listen on loopback: \(errno)") }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = UInt16(bigEndian: actual.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    public func set(_ newMode: Mode) {
        mode.withLock { $0 = newMode }
        if newMode == .cut {
            for fd in open.withLock({ Array($0) }) { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    public func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in open.withLock({ Array($0) }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if stopped.load(ordering: .relaxed) { return }
                continue
            }
            if mode.withLock({ $0 }) == .cut { close(client); continue }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: upstreamPort)
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard connected == 0 else { close(client); close(upstream); continue }
            var yes: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(upstream, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            open.withLock { $0.formUnion([client, upstream]) }
            let done = Atomic<Int>(0)
            for (from, to) in [(client, upstream), (upstream, client)] {
                Thread { [self] in
                    pump(from: from, to: to)
                    shutdown(to, Int32(SHUT_WR))
                    if done.add(1, ordering: .relaxed).newValue == 2 {
                        open.withLock { $0.subtract([client, upstream]) }
                        close(client)
                        close(upstream)
                    }
                }.start()
            }
        }
    }

    private func pump(from: Int32, to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            switch mode.withLock({ $0 }) {
            case .pass: break
            case let .latency(milliseconds, jitter):
                usleep(useconds_t(max(0, milliseconds + Int.random(in: -jitter...max(jitter, 0)))) * 1000)
            case let .loss(probability):
                if Double.random(in: 0..<1) < probability { usleep(useconds_t(Int.random(in: 200...1000)) * 1000) }
            case .cut: return
            }
            var sent = 0
            while sent < count {
                let wrote = buffer.withUnsafeBytes { send(to, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                guard wrote > 0 else { return }
                sent += wrote
            }
        }
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
