import Foundation

/// What the kernel lets a TCP socket buffer, read where Linux publishes it.
public enum SocketBuffers {
    /// The most a send buffer grows to by itself (the third number of `tcp_wmem`): what a Linux peer may
    /// hold of a reply its reader has stopped taking. 4 MiB, Linux's default, where the file is missing.
    public static func largestSendBuffer(tcpWmem path: String = "/proc/sys/net/ipv4/tcp_wmem") -> Int {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 4 << 20 }
        return largest(in: text) ?? 4 << 20
    }

    /// The maximum of a `min default max` line such as `tcp_wmem`'s.
    static func largest(in text: String) -> Int? {
        let numbers = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        return numbers.count == 3 ? numbers[2] : nil
    }
}
