/// The status line and header fields of a response's final (non-1xx) header block.
public struct ResponseHead: Sendable, Equatable {
    public var status: Int
    public var httpVersion: String
    public var headers: HTTPHeaders

    public init(status: Int, httpVersion: String, headers: HTTPHeaders) {
        self.status = status
        self.httpVersion = httpVersion
        self.headers = headers
    }
}

/// Assembles header blocks line by line as libcurl hands them over; a 1xx
/// block (100 Continue, 103 Early Hints) is dropped for the final one.
struct ResponseHeadParser {
    private var status: Int?
    private var version = ""
    private var headers = HTTPHeaders()

    /// Feeds one header line (with its CRLF); answers the head when the final block ends.
    mutating func feed(_ raw: String) -> ResponseHead? {
        let line = raw.trimmingSuffix { $0.isNewline }
        if line.isEmpty {
            guard let status else { return nil }
            defer { self = ResponseHeadParser() }
            return status >= 200 ? ResponseHead(status: status, httpVersion: version, headers: headers) : nil
        }
        if line.hasPrefix("HTTP/") {
            let parts = line.split(separator: " ", maxSplits: 2)
            version = String(parts[0].dropFirst(5))
            status = parts.count > 1 ? Int(parts[1]) : nil
            headers = HTTPHeaders()
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingPrefix { $0 == " " || $0 == "\t" }
            headers.add(name, String(value.trimmingSuffix { $0 == " " || $0 == "\t" }))
        }
        return nil
    }
}

extension StringProtocol {
    public func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return String(self[startIndex..<end])
    }

    public func trimmingPrefix(while predicate: (Character) -> Bool) -> SubSequence {
        var start = startIndex
        while start < endIndex, predicate(self[start]) { start = index(after: start) }
        return self[start...]
    }
}
