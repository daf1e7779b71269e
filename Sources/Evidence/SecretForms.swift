import Foundation

/// The shapes one secret can take in an output: as it is, JSON-escaped,
/// base64, base64url and percent-encoded. The redactor masks each of them and
/// the secret scan looks for each of them.
public enum SecretForms {
    /// Secrets shorter than this are not looked for: they would match ordinary text.
    public static let minimumLength = 6

    /// Each distinct form, named. The base64 forms keep only whole 4-character
    /// groups, which do not depend on what follows the secret.
    public static func forms(of secret: String) -> [(form: String, text: String)] {
        guard secret.utf8.count >= minimumLength else { return [] }
        var forms: [(String, String)] = [("raw", secret)]
        func add(_ name: String, _ text: String) {
            if text.utf8.count >= minimumLength, !forms.contains(where: { $0.1 == text }) { forms.append((name, text)) }
        }
        if let data = try? JSONEncoder().encode(secret) { add("JSON-escaped", String(decoding: data.dropFirst().dropLast(), as: UTF8.self)) }
        let bytes = Array(secret.utf8)
        let whole = bytes.count / 3 * 3
        if whole >= 3 {
            let base64 = Data(bytes[..<whole]).base64EncodedString()
            add("base64", base64)
            add("base64url", base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
        }
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        if let percent = secret.addingPercentEncoding(withAllowedCharacters: unreserved) {
            add("percent-encoded", percent)
            add("percent-encoded (lower-case hex)", Self.lowercasedEscapes(percent))
        }
        return forms
    }

    static func lowercasedEscapes(_ text: String) -> String {
        var out = "", pending = 0
        for character in text {
            if character == "%" { pending = 2; out.append(character); continue }
            if pending > 0 { pending -= 1; out += character.lowercased(); continue }
            out.append(character)
        }
        return out
    }
}
