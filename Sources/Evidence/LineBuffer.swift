#if canImport(Glibc)
import Glibc
#endif

/// Output built as bytes and written in one `write(2)` per network chunk:
/// lines at the speed of the parser. Numbers and JSON strings are formatted
/// by hand (Foundation's formatting costs more than parsing the event), and
/// redaction runs only where a secret could be (`Redactor.mightHoldSecret`).
public struct LineBuffer: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    public mutating func append(byte: UInt8) { bytes.append(byte) }

    /// A non-negative number with one decimal (`1234.5`), right-aligned in `width` when given.
    public mutating func appendMilliseconds(_ value: Double, width: Int = 0) {
        let tenths = Int((max(0, value) * 10).rounded())
        let whole = tenths / 10
        let length = Self.digitCount(whole) + 2
        if length < width { bytes.append(contentsOf: repeatElement(32, count: width - length)) }
        appendDigits(whole)
        bytes.append(46)
        bytes.append(UInt8(48 + tenths % 10))
    }

    public mutating func appendInteger(_ value: Int) {
        if value < 0 { bytes.append(45) }
        appendDigits(value.magnitude)
    }

    /// The decimal digits of a number, written in place: no array per number.
    private mutating func appendDigits<T: BinaryInteger>(_ value: T) {
        let count = Self.digitCount(value)
        let end = bytes.count + count
        bytes.append(contentsOf: repeatElement(48, count: count))
        var rest = value, index = end - 1
        while rest > 0 {
            bytes[index] = UInt8(48 + Int(rest % 10))
            rest /= 10
            index -= 1
        }
    }

    private static func digitCount<T: BinaryInteger>(_ value: T) -> Int {
        var count = 1, rest = value.magnitude
        while rest >= 10 { rest /= 10; count += 1 }
        return count
    }

    /// A JSON string literal, escaped as RFC 8259 asks (quotes, backslash, control characters).
    /// Runs of bytes that need no escape are copied whole.
    public mutating func appendJSONString(_ text: String) {
        bytes.append(34)
        var text = text
        text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            var start = 0, index = 0
            let count = utf8.count
            while index < count {
                let byte = base[index]
                guard byte < 0x20 || byte == 34 || byte == 92 else { index += 1; continue }
                if index > start { bytes.append(contentsOf: UnsafeBufferPointer(start: base + start, count: index - start)) }
                bytes.append(92)
                switch byte {
                case 34, 92: bytes.append(byte)
                case 10: bytes.append(110)
                case 13: bytes.append(114)
                case 9: bytes.append(116)
                default:
                    bytes.append(117); bytes.append(48); bytes.append(48)
                    bytes.append(Self.hex[Int(byte >> 4)]); bytes.append(Self.hex[Int(byte & 15)])
                }
                index += 1
                start = index
            }
            if count > start { bytes.append(contentsOf: UnsafeBufferPointer(start: base + start, count: count - start)) }
        }
        bytes.append(34)
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes what was built to a descriptor (through the redactor where a secret could be) and empties the buffer.
    public mutating func flush(to descriptor: Int32 = 1, redactor: Redactor) {
        guard !bytes.isEmpty else { return }
        let out = redactor.mightHoldSecret(bytes) ? redactor.redact(bytes) : bytes
        out.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let wrote = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if wrote <= 0 { if errno == EINTR { continue }; break }
                offset += wrote
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
