/// The model: a deterministic reply, token by token. Same prompt, same reply,
/// so a suite can compare what it saw with what was stored.
struct ReplyGenerator: Sendable {
    let model: String

    func reply(to content: String, anonymous: Bool) -> [String] {
        let greeting = anonymous ? "Hello, anonymous friend." : "Hello again."
        let text = "\(greeting) You said: \(content)"
        // Tokens of a few characters, whitespace kept with the word before it.
        var tokens: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == " " || current.count >= 4 {
                tokens.append(current)
                current = ""
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// A reply of about `bytes` in tokens of 64 KiB, each numbered so that a lost or repeated one shows.
    func largeReply(bytes: Int) -> [String] {
        let size = 64 * 1024
        return (0..<max(1, bytes / size)).map { index in
            let head = "[part \(index + 1)] "
            return head + String(repeating: "stream ", count: (size - head.utf8.count) / 7)
        }
    }
}
