import Testing
@testable import LocalStagingCore

@Suite("Engine.IO and Socket.IO packets")
struct EngineIOPacketTests {
    @Test("a polling payload splits at the record separator")
    func payload() {
        let packets = EngineIOPacket.decodePayload("40{\"token\":\"t\"}\u{1E}3\u{1E}42[\"message\",{}]")
        #expect(packets == [.message("0{\"token\":\"t\"}"), .pong(""), .message("2[\"message\",{}]")])
        #expect(EngineIOPacket.encodePayload([.ping(""), .message("40")]) == "2\u{1E}440")
        #expect(EngineIOPacket.decodePayload("9x") == nil)
    }

    @Test("Socket.IO packets: type, namespace, ack id, data", arguments: [
        ("0{\"token\":\"x\"}", SocketIOPacket(kind: .connect, data: "{\"token\":\"x\"}")),
        ("0/admin,{}", SocketIOPacket(kind: .connect, namespace: "/admin", data: "{}")),
        ("212[\"message\"]", SocketIOPacket(kind: .event, ackID: 12, data: "[\"message\"]")),
        ("4{\"message\":\"unauthorized\"}", SocketIOPacket(kind: .connectError, data: "{\"message\":\"unauthorized\"}")),
        ("1", SocketIOPacket(kind: .disconnect)),
    ])
    func socketPackets(_ text: String, _ packet: SocketIOPacket) {
        #expect(SocketIOPacket(text) == packet)
        #expect(packet.encoded == text)
    }
}
