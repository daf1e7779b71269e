import NIOCore

/// Closes a connection whose client has closed its side. The server allows
/// half-closed connections, so without this a client that goes away while a
/// stream waits for the model (no write to fail on) would keep the stream's
/// slot; with it the connection's close frees the slot at once (CONTRACT §4).
final class ClientGoneHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}
