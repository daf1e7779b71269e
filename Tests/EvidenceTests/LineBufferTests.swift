import Foundation
import Testing
@testable import Evidence
@testable import Transport

/// The CLI's fast output path: hand-made formatting that must equal what
/// Foundation would write, and a redaction shortcut that never skips a secret.
@Suite("Line buffer and the redaction shortcut")
struct LineBufferTests {
    @Test("milliseconds with one decimal, right-aligned; integers; JSON strings escaped as JSONSerialization reads them back")
    func formatting() throws {
        var buffer = LineBuffer()
        buffer.appendMilliseconds(1234.56, width: 9)
        buffer.append("|")
        buffer.appendMilliseconds(0.04)
        buffer.append("|")
        buffer.appendInteger(-305)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "   1234.6|0.0|-305")

        for text in ["plain", "quote \" and \\ backslash", "line\nbreak\ttab\r", "control \u{1} \u{1f}", "ünïcødé 🚀", ""] {
            var json = LineBuffer()
            json.append("[")
            json.appendJSONString(text)
            json.append("]")
            let decoded = try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String]
            #expect(decoded == [text])
        }
    }

    @Test("the shortcut sees every kind of secret the redactor masks, in any case; plain stream text skips the regular expressions")
    func shortcut() {
        let redactor = Redactor(secrets: ["sb_publishable_local_abcdef"])
        #expect(!redactor.mightHoldSecret(Array(#"{"delta":"Hello, anonymous friend.","seq":3}"#.utf8)))
        for text in ["token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "AUTHORIZATION: Bearer x", "{\"Refresh_Token\":\"r\"}",
                     "postgresql://u:p@h/db", "key SB_PUBLISHABLE_LOCAL_ABCDEF", "Password = 'x'"] {
            #expect(redactor.mightHoldSecret(Array(text.utf8)), "\(text)")
        }
        redactor.register("late-secret-value")
        #expect(redactor.mightHoldSecret(Array("a late-secret-value here".utf8)))
        // Whatever the shortcut says, redacting what it flags gives what the redactor always gave.
        let line = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
        #expect(redactor.redact(Array(line.utf8)) == Array(redactor.redact(line).utf8))
    }

    @Test("the one-pass search finds a needle at the start, at the very end and in any case, and nothing that is only its start")
    func needleSet() {
        let set = NeedleSet([Array("eyj".utf8), Array("apikey".utf8)])
        func occurs(_ text: String) -> Bool { Array(text.utf8).withUnsafeBufferPointer { set.occurs(in: $0) } }
        #expect(occurs("eyJhbGc"))
        #expect(occurs("the end: APIKEY"))
        #expect(occurs("xEYJ"))
        #expect(!occurs("the end: apike"))
        #expect(!occurs("ey"))
        #expect(!occurs(""))
        #expect(!occurs("api key, eye, apples"))
    }
}
