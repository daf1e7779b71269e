import Foundation
import Hummingbird

/// JSON in and out for handlers that deal in loosely typed bodies.
enum JSON {
    static func object(_ buffer: ByteBuffer) -> [String: Any]? {
        guard buffer.readableBytes > 0 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any]
    }

    static func object(_ data: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    static func data(_ value: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    static func string(_ value: Any) -> String { String(decoding: data(value), as: UTF8.self) }

    static func response(_ status: HTTPResponse.Status, _ value: Any, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: data(value))))
    }
}

extension Date {
    /// ISO 8601 with microseconds, as GoTrue prints times.
    var iso8601: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: self)
    }
}

/// Structured logs: one JSON object per line on stdout, written at once
/// (print would sit in a buffer while stdout is a file).
enum Log {
    static func line(_ object: [String: Any]) {
        FileHandle.standardOutput.write(Data((JSON.string(object) + "\n").utf8))
    }
}
