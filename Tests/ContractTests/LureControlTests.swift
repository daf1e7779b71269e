import Testing
@testable import Contract

@Suite
struct LureControlTests {
    @Test("ANON_E2E_LURE_CONTROL is a method and a path with {url}; anything else is refused")
    func parses() {
        let control = LureControl("get /api/v1/link-preview?url={url}")
        #expect(control?.method == .get)
        #expect(control?.path == "/api/v1/link-preview?url={url}")
        for text in ["/api/v1/link-preview?url={url}", "GET /api/v1/link-preview", "FETCH /x?u={url}", "GET api/{url}", "GET /a?u={url} extra"] {
            #expect(LureControl(text) == nil, "\(text)")
        }
    }

    @Test("the control holds only when the lure saw the marked path: a lure the backend cannot reach fails it")
    func verdict() {
        let marker = "/lure-control-1"
        #expect(LureControl.verdict(marker: marker, fetched: ["/lure-control-1"], answered: 200).passed)
        let unreached = LureControl.verdict(marker: marker, fetched: [], answered: 502)
        #expect(!unreached.passed)
        #expect(unreached.detail?.contains("answered 502 and the lure saw no request") == true)
        #expect(!LureControl.verdict(marker: marker, fetched: ["/lure-probe"], answered: 200).passed)
    }
}
