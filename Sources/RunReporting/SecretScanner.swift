import Crypto
import Foundation
import Evidence
import Protocols

/// Proves on disk what the redactor promises: no file of a run's outputs
/// (artifacts, REPORT.md, JUnit XML, the console log) holds a secret the run
/// handled, in any of its forms, nor a whole signed JWT. Files are read as
/// bytes, so a file that is not UTF-8 is scanned like any other.
public struct SecretScanner: Sendable {
    /// One thing found where it must not be.
    public struct Leak: Sendable, Equatable, CustomStringConvertible {
        public let file: String
        public let secret: String
        public let form: String
        public var description: String { "\(file): \(secret) (\(form))" }
    }

    public struct NothingToScan: Error, Sendable, CustomStringConvertible {
        public let path: String
        public var description: String { "\(path): nothing to scan (missing or empty); a run's outputs must be there" }
    }

    let needles: [(label: String, form: String, bytes: [UInt8])]
    let fingerprints: [UInt64: [SecretFingerprint]]

    /// - Parameters:
    ///   - secrets: secrets known by value (the configuration's), each with a label that names its kind, never its value.
    ///   - fingerprints: secrets known by hash (the run's tokens).
    public init(secrets: [(label: String, value: String)], fingerprints: [SecretFingerprint] = []) {
        needles = secrets.flatMap { secret in SecretForms.forms(of: secret.value).map { (secret.label, $0.form, Array($0.text.utf8)) } }
        self.fingerprints = Dictionary(grouping: fingerprints.filter { $0.length >= SecretFingerprint.prefixLength }, by: { UInt64($0.prefix, radix: 16) ?? 0 })
    }

    private static let signedJWT = try! NSRegularExpression(pattern: #"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"#)

    /// Every leak in one file's bytes.
    public func scan(_ bytes: [UInt8], file: String) -> [Leak] {
        var leaks: [Leak] = []
        for needle in needles where Self.contains(bytes, needle.bytes) {
            leaks.append(Leak(file: file, secret: needle.label, form: needle.form))
        }
        if !fingerprints.isEmpty, bytes.count >= SecretFingerprint.prefixLength {
            var found = Set<String>()
            for start in 0...(bytes.count - SecretFingerprint.prefixLength) {
                guard let candidates = fingerprints[SecretFingerprint.prefixValue(bytes[start..<(start + SecretFingerprint.prefixLength)])] else { continue }
                for candidate in candidates where start + candidate.length <= bytes.count
                    && SecretFingerprint.hash(bytes[start..<(start + candidate.length)]) == candidate.full {
                    if found.insert(candidate.label + candidate.form).inserted {
                        leaks.append(Leak(file: file, secret: candidate.label, form: candidate.form))
                    }
                }
            }
        }
        // Latin-1 maps every byte to one character, so the pattern sees any file.
        let text = String(decoding: bytes.map { UInt16($0) }, as: UTF16.self)
        if Self.signedJWT.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil {
            leaks.append(Leak(file: file, secret: "a whole signed JWT", form: "raw"))
        }
        return leaks
    }

    /// Scans files and folders (recursively). A path that is missing, or a
    /// folder with no file in it, is an error: a scan of nothing proves nothing.
    public func scan(paths: [String]) throws -> (files: Int, leaks: [Leak]) {
        var files = 0
        var leaks: [Leak] = []
        for path in paths {
            let root = URL(fileURLWithPath: path).resolvingSymlinksInPath()
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else { throw NothingToScan(path: path) }
            let urls = isDirectory.boolValue
                ? (FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])?.compactMap { $0 as? URL } ?? [])
                : [root]
            var here = 0
            for url in urls where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                guard let data = FileManager.default.contents(atPath: url.path) else { continue }
                here += 1
                leaks += scan(Array(data), file: url.path)
            }
            guard here > 0 else { throw NothingToScan(path: path) }
            files += here
        }
        return (files, leaks)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0], last = haystack.count - needle.count
        var index = 0
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
