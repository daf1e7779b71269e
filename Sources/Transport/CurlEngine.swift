import CCurl
import Foundation
import Synchronization

/// One libcurl multi handle driven by one thread: every transfer of the
/// process runs on it, so 64 concurrent streams cost one thread, not 64.
///
/// The multi handle and every easy handle in it are touched only on the
/// engine's thread; other threads talk to it through `submit`, which queues a
/// command and wakes the thread (`curl_multi_wakeup` is thread-safe).
final class CurlEngine: @unchecked Sendable {
    static let shared = CurlEngine()

    enum Command {
        case add(CurlTransfer)
        case resume(CurlTransfer)
        case cancel(CurlTransfer)
        /// A cancel whose caller waits for the instant the engine let the connection go.
        case close(CurlTransfer, CheckedContinuation<ContinuousClock.Instant, Never>)
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex<[Command]>([])
    /// Engine thread only.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    /// Engine thread only: transfers that received bytes during this perform.
    var touched: [CurlTransfer] = []

    private init() {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        multi = curl_multi_init()
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "anon-e2e.curl"
        thread.start()
    }

    func submit(_ command: Command) {
        inbox.withLock { $0.append(command) }
        curl_multi_wakeup(multi)
    }

    private func run() {
        while true {
            for command in inbox.withLock({ queued in defer { queued.removeAll() }; return queued }) {
                handle(command)
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            // While more is readable at once, read on before handing over: a body that
            // arrives faster than one read wakes its consumer once per four reads.
            var reads = 1
            while !touched.isEmpty, reads < 4 {
                var readable: Int32 = 0
                curl_multi_poll(multi, nil, 0, 0, &readable)
                guard readable > 0 else { break }
                curl_multi_perform(multi, &running)
                reads += 1
            }
            for transfer in touched { transfer.flush() }
            touched.removeAll(keepingCapacity: true)
            reapFinished()
            expireDeadlines(now: .now)
            var ready: Int32 = 0
            // A short poll while transfers run keeps the idle deadline accurate to 50 ms.
            curl_multi_poll(multi, nil, 0, active.isEmpty ? 1000 : 50, &ready)
        }
    }

    private func handle(_ command: Command) {
        switch command {
        case let .add(transfer):
            guard let easy = transfer.easy else { return }
            active[easy] = transfer
            transfer.started()
            curl_multi_add_handle(multi, easy)
        case let .resume(transfer):
            guard let easy = transfer.easy, active[easy] != nil else { return }
            transfer.unpausing()
            curl_easy_pause(easy, ANON_CURLPAUSE_CONT)
        case let .cancel(transfer):
            remove(transfer)
        case let .close(transfer, closed):
            remove(transfer)
            closed.resume(returning: .now)
        }
    }

    /// Takes a transfer out of the multi handle: an unfinished HTTP/1.1 body closes its
    /// connection there (HTTP/2 resets the stream).
    private func remove(_ transfer: CurlTransfer) {
        if let easy = transfer.easy, active.removeValue(forKey: easy) != nil {
            curl_multi_remove_handle(multi, easy)
        }
        transfer.finish(error: .cancelled(url: transfer.request.url))
    }

    private func reapFinished() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            curl_multi_remove_handle(multi, easy)
            active.removeValue(forKey: easy)?.complete(code: code)
        }
    }

    /// The head, total and idle deadlines, checked here rather than by libcurl so
    /// that each names its phase and the total one holds while a consumer
    /// keeps the transfer paused.
    private func expireDeadlines(now: ContinuousClock.Instant) {
        for (easy, transfer) in active {
            guard let error = transfer.expired(now: now) else { continue }
            active.removeValue(forKey: easy)
            curl_multi_remove_handle(multi, easy)
            transfer.finish(error: error)
        }
    }
}
