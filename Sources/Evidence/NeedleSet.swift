/// Lower-cased byte strings looked for in one pass over a buffer: a bitset of
/// their first two bytes picks the candidates, a compare confirms them. One
/// pass costs the same however many needles there are, where a search per
/// needle (memchr to each first byte) stops at every common letter.
struct NeedleSet: Sendable {
    /// 65,536 bits, one per two-byte start, in every case the letters can take:
    /// the scan then looks up raw bytes and folds case only to confirm.
    private var starts = [UInt64](repeating: 0, count: 1024)
    /// The needles by their first two bytes (lower case): a candidate is compared
    /// only with the needles that start as it does, not with every form of every secret.
    private var needles: [UInt16: [[UInt8]]] = [:]

    init(_ needles: [[UInt8]] = []) {
        for needle in needles { insert(needle) }
    }

    /// Adds a needle (lower-case ASCII letters; shorter than two bytes is ignored).
    mutating func insert(_ needle: [UInt8]) {
        guard needle.count >= 2 else { return }
        needles[Self.key(needle[0], needle[1]), default: []].append(needle)
        for first in Self.cases(needle[0]) {
            for second in Self.cases(needle[1]) {
                let key = Int(first) << 8 | Int(second)
                starts[key >> 6] |= 1 << UInt64(key & 63)
            }
        }
    }

    /// Whether a needle occurs in `bytes`, ASCII letters compared without case.
    func occurs(in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        guard count >= 2, let base = bytes.baseAddress else { return false }
        return starts.withUnsafeBufferPointer { starts in
            var previous = Int(base[0])
            var index = 1
            while index < count {
                let current = Int(base[index])
                let key = previous << 8 | current
                if starts[key >> 6] & (1 << UInt64(key & 63)) != 0, matches(at: index - 1, in: base, count: count) { return true }
                previous = current
                index += 1
            }
            return false
        }
    }

    @inline(__always) private static func fold(_ byte: UInt8) -> UInt8 { byte &- 65 < 26 ? byte | 0x20 : byte }

    @inline(__always) private static func key(_ first: UInt8, _ second: UInt8) -> UInt16 { UInt16(fold(first)) << 8 | UInt16(fold(second)) }

    /// A lower-case letter and its capital; any other byte alone.
    private static func cases(_ byte: UInt8) -> [UInt8] { byte &- 97 < 26 ? [byte, byte & ~0x20] : [byte] }

    private func matches(at start: Int, in base: UnsafePointer<UInt8>, count: Int) -> Bool {
        guard let candidates = needles[Self.key(base[start], base[start + 1])] else { return false }
        return candidates.contains { needle in
            guard start + needle.count <= count else { return false }
            for (offset, byte) in needle.enumerated() where Self.fold(base[start + offset]) != byte { return false }
            return true
        }
    }
}
