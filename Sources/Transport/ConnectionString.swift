import Foundation

/// A PostgreSQL connection string (URI or `key=value` form) that never shows
/// its password: `masked` is what errors, logs and reports print.
public struct ConnectionString: Sendable, CustomStringConvertible {
    public let raw: String

    public init(_ raw: String) { self.raw = raw }

    /// The password, so the evidence redactor can mask it wherever it appears.
    public var password: String? {
        if let range = uriPasswordRange { let encoded = String(raw[range]); return encoded.removingPercentEncoding ?? encoded }
        return keywordPassword?.value
    }

    public var masked: String {
        var text = raw
        if let range = uriPasswordRange {
            text.replaceSubrange(range, with: "***")
        } else if let keyword = keywordPassword {
            text.replaceSubrange(keyword.range, with: "***")
        }
        return text
    }

    public var description: String { masked }

    /// `scheme://user:PASSWORD@host`
    private var uriPasswordRange: Range<String.Index>? {
        guard let scheme = raw.range(of: "://"), raw.hasPrefix("postgres") else { return nil }
        let rest = raw[scheme.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return nil }
        let userinfo = rest[..<at]
        guard !userinfo.contains("/"), let colon = userinfo.firstIndex(of: ":") else { return nil }
        return userinfo.index(after: colon)..<at
    }

    /// `password=value` or `password='quoted value'`
    private var keywordPassword: (range: Range<String.Index>, value: String)? {
        guard let key = raw.range(of: #"(^|\s)password\s*=\s*"#, options: .regularExpression) else { return nil }
        var index = key.upperBound
        var value = ""
        if index < raw.endIndex, raw[index] == "'" {
            index = raw.index(after: index)
            while index < raw.endIndex, raw[index] != "'" {
                if raw[index] == "\\", raw.index(after: index) < raw.endIndex { index = raw.index(after: index) }
                value.append(raw[index])
                index = raw.index(after: index)
            }
            let end = index < raw.endIndex ? raw.index(after: index) : index
            return (key.upperBound..<end, value)
        }
        while index < raw.endIndex, !raw[index].isWhitespace {
            value.append(raw[index])
            index = raw.index(after: index)
        }
        return (key.upperBound..<index, value)
    }
}
