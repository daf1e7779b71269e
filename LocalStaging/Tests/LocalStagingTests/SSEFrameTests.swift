import Testing
@testable import LocalStagingCore

@Suite("SSEFrame and StreamRecord")
struct SSEFrameTests {
    @Test("an event frame is id, event, one data line per payload line, then a blank line")
    func eventFrame() {
        #expect(SSEFrame.event("delta", id: 2, data: #"{"seq":1}"#).text == "id: 2\nevent: delta\ndata: {\"seq\":1}\n\n")
        #expect(SSEFrame.event("x", id: 1, data: "a\nb\r\nc").text == "id: 1\nevent: x\ndata: a\ndata: b\ndata: c\n\n")
        #expect(SSEFrame.ping.text == ": ping\n\n")
    }

    @Test("a reader resumes after the frame whose id it last saw")
    func resume() async {
        let record = StreamRecord(owner: .init())
        for id in 1...4 { await record.append(.event("delta", id: id, data: "\(id)")) }
        await record.finish()
        let start = await record.index(after: 2)
        #expect(start == 2)
        #expect(await record.frame(at: 2)?.id == 3)
        #expect(await record.frame(at: 4) == nil)
        #expect(await record.index(after: 9) == nil)
    }

    @Test("a waiting reader gets the frame appended after it started waiting")
    func waiting() async {
        let record = StreamRecord(owner: .init())
        async let frame = record.frame(at: 0)
        try? await Task.sleep(for: .milliseconds(50))
        await record.append(.event("meta", id: 1, data: "{}"))
        #expect(await frame?.id == 1)
    }
}
