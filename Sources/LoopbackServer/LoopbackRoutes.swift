#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The routes the offline tests and the benchmark use.
public enum LoopbackRoutes {
    public static let standard: LoopbackServer.Handler = { request, writer in
        switch request.path {
        case "/sse":
            // events=N frames of size=S data bytes, interval_ms apart, then close.
            sse(writer, events: request.int("events", default: 5), interval: request.int("interval_ms", default: 0),
                size: request.int("size", default: 8))
        case "/bytes":
            // size=N bytes in one Content-Length body, written as fast as the socket takes them.
            bytes(writer, size: request.int("size", default: 1024), closeDelimited: request.query["close"] != nil)
        case "/stall":
            // The head, then silence until the client gives up (or `seconds`).
            writer.head(200, [("Content-Type", "text/event-stream")])
            writer.write(": hello\n\n")
            sleepWhileConnected(writer, seconds: request.int("seconds", default: 60))
        case "/silent":
            // Accepts the request and answers nothing at all.
            sleepWhileConnected(writer, seconds: request.int("seconds", default: 60))
        case "/endless":
            // A ping comment every `interval_ms` until the client disconnects.
            writer.head(200, [("Content-Type", "text/event-stream")])
            let interval = request.int("interval_ms", default: 10)
            while writer.write(": ping\n\n") { usleep(useconds_t(interval * 1000)) }
        case "/headers":
            writer.head(200, [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Single", "one")], contentLength: 2)
            writer.write("ok")
        case "/echo":
            var headers = [("Content-Type", request.header("content-type") ?? "application/octet-stream"),
                           ("X-Echo-Method", request.method)]
            if let trace = request.header("x-trace-id") { headers.append(("X-Trace-Id", trace)) }
            writer.head(200, headers, contentLength: request.body.count)
            writer.write(request.body)
        default:
            writer.head(404, [("Content-Type", "application/json")], contentLength: 21)
            writer.write(#"{"error":"not found"}"#)
        }
    }

    public static func sse(_ writer: LoopbackResponseWriter, events: Int, interval: Int, size: Int) {
        guard writer.head(200, [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")]) else { return }
        let payload = String(repeating: "x", count: size)
        for id in 1...max(events, 1) {
            if interval > 0 { usleep(useconds_t(interval * 1000)) }
            guard writer.write("id: \(id)\nevent: delta\ndata: \(payload)\n\n") else { return }
        }
    }

    public static func bytes(_ writer: LoopbackResponseWriter, size: Int, closeDelimited: Bool) {
        guard writer.head(200, [("Content-Type", "application/octet-stream")], contentLength: closeDelimited ? nil : size) else { return }
        let block = [UInt8](repeating: UInt8(ascii: "a"), count: 256 * 1024)
        var left = size
        while left > 0 {
            let n = min(left, block.count)
            guard writer.write(n == block.count ? block : Array(block[0..<n])) else { return }
            left -= n
        }
    }

    static func sleepWhileConnected(_ writer: LoopbackResponseWriter, seconds: Int) {
        // Readable or hung up after the request was read means when the client closed, without writing.
        var pfd = pollfd(fd: writer.fd, events: Int16(POLLIN) | 0x2000 /* POLLRDHUP */, revents: 0)
        let deadline = Date().addingTimeInterval(Double(seconds))
        while Date() < deadline {
            if poll(&pfd, 1, 100) > 0 { return }
        }
    }
}
