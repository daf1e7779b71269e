import Foundation
import LoopbackServer
import Testing
import AnonE2ETesting
import Contract
import Evidence
import Protocols
import Transport

/// Seed 000, supplement 1): forged tokens, and tokens whose only fault is a claim.
@Suite(.requires(.auth, .api), .anonymousUsers, .serialized, .replies(2), .tags(.jwt))
struct StagingJWTTests {
    let backend = Staging.backend

    /// The identity, its JWKS, the latency of an ordinary refusal, and a server for jku/x5u lures
    /// (at ANON_E2E_LURE_URL when given, an address the backend can reach; on loopback otherwise).
    /// The identity's messages: the control, the three signed tokens that must be accepted, the last check.
    struct Baseline: Sendable {
        let session: GoTrueSession
        let token: JWT
        let keys: [JSONWebKey]
        let refusalLatency: Duration
        let lure: LoopbackServer
    }

    static let baseline = Once<Baseline>("a session and its ordinary refusals")
    static let results = MutationLog()

    func baseline() async throws -> Baseline {
        try await Self.baseline.value {
            let backend = Staging.backend
            let session = try await Staging.suiteUser(messages: 5)
            var slowest = Duration.zero
            for _ in 0..<3 {
                slowest = max(slowest, try await timed(backend.messages.request("hi", token: "x.y.z", traceID: nil)).elapsed)
            }
            let lureURL = Staging.configuration[.lureURL].flatMap { URLComponents(string: $0) }
            let lure = try LoopbackServer(host: lureURL?.host ?? "127.0.0.1", port: lureURL?.port ?? 0)
            let baseline = Baseline(session: session, token: try JWT(session.accessToken), keys: try await backend.auth.jwks(),
                                    refusalLatency: slowest, lure: lure)
            try await Self.control(baseline)
            return baseline
        }
    }

    /// Requests of this identity that may be admitted, spaced under its request rate.
    static let pace = Pacer(perSecond: max(Staging.configuration.int(.anonymousQPS) - 1, 1))

    /// The positive control of every refusal case: the unmutated token, on the same route, is
    /// accepted. Once for the suite: a quota of 20 leaves no room for one a case.
    static func control(_ baseline: Baseline) async throws {
        let backend = Staging.backend
        try await Self.pace.next()
        let response = try await backend.messages.json("hi", token: baseline.session.accessToken)
        try #require(response.status == 200, """
            control: the unmutated token was refused (\(response.status): \(Staging.redactor.redact(String(response.text.prefix(300))))); \
            a backend that refuses every token would pass the mutations below
            """)
    }

    @Test("every key-less mutation is refused: 401, the K1 body with the code of its cause, WWW-Authenticate, never 5xx, never slow", .rules("S3.6", "S3.7", "S3.8", "S3.3", "S3.1"),
          .tags(.criticalRefusal), arguments: JWTMutation.Kind.allCases)
    func mutationsAreRefused(_ kind: JWTMutation.Kind) async throws {
        let baseline = try await baseline()
        let mutations = baseline.token.mutations(keys: baseline.keys, lureURL: baseline.lure.baseURL).filter { $0.kind == kind }
        #expect(!mutations.isEmpty, "no mutation of kind \(kind.rawValue)")
        for mutation in mutations {
            let trace = StagingBackend.newTraceID()
            let request = backend.messages.request("hi", token: mutation.token, traceID: trace)
            let (response, first) = try await timed(request)
            var elapsed = first
            var ordinary = baseline.refusalLatency
            if elapsed > ordinary + .seconds(1) {
                // One slow answer may be a busy machine or the network; a token that makes the server wait is slow every time.
                ordinary = max(ordinary, try await timed(backend.messages.request("hi", token: "x.y.z", traceID: nil)).elapsed)
                elapsed = min(elapsed, try await timed(backend.messages.request("hi", token: mutation.token, traceID: nil)).elapsed)
            }
            var verdicts = ErrorBodyCheck(status: 401, codes: Staging.configuration.codes(mutation.expectedCodes), traceID: trace,
                                          anonymousRefusal: false).verdicts(response)
            verdicts.append(Verdict("no slower than an ordinary refusal by more than 1 s", passed: elapsed <= ordinary + .seconds(1),
                                    detail: String(format: "%.0f ms (ordinary refusal %.0f ms)", elapsed.inMilliseconds, ordinary.inMilliseconds)))
            let code = JSONValue.parse(response.body)?["code"]?.string
            await Self.results.add(MutationResult(kind: kind.rawValue, mutation: mutation.name, status: response.status, code: code,
                                                  milliseconds: elapsed.inMilliseconds, verdict: verdicts.failures.isEmpty ? "refused" : "FAIL",
                                                  failures: verdicts.failures.map(\.check)))
            Staging.evidence.note(TraceNote(kind: .mutation, caseID: Staging.caseID, traceID: trace, status: response.status,
                                            name: mutation.name, passed: verdicts.failures.isEmpty, message: code))
            Staging.expect(verdicts, "mutation '\(mutation.name)'")
        }
        try Staging.evidence.record("jwt_mutations.json", json: await Self.results.all)
    }

    /// A request and the time to its answer.
    func timed(_ request: HTTPRequest) async throws -> (response: HTTPResponse, elapsed: Duration) {
        let started = ContinuousClock.now
        let response = try await backend.http.send(request)
        return (response, ContinuousClock.now - started)
    }

    /// The control first: the backend is asked to fetch a marked path from the lure (ANON_E2E_LURE_CONTROL),
    /// so that "nothing fetched" is judged only where a fetch would have been seen.
    @Test("the backend never fetches a key from the jku or x5u URL a token names, though it can reach the lure", .rules("S3.8"))
    func luresNeverFetched() async throws {
        guard Staging.configuration[.lureURL] != nil else {
            try Staging.skip("not exercised: no ANON_E2E_LURE_URL (an address of this machine the backend can reach) to serve the lure at")
        }
        guard let lureControl = backend.lureControl else {
            try Staging.skip("not exercised: nothing shows the backend can reach the lure; ANON_E2E_LURE_CONTROL names a request that makes it fetch a URL")
        }
        let baseline = try await baseline()
        let marker = "/lure-control-\(StagingBackend.newTraceID())"
        let answer = try await backend.http.send(lureControl.request(fetching: baseline.lure.baseURL + marker, backend: backend,
                                                                 token: baseline.session.accessToken, traceID: StagingBackend.newTraceID()))
        let reached = try await PersistedRead(timeout: .seconds(3)).until({ baseline.lure.requests.map(\.path) }, holds: { $0.contains { $0.hasPrefix(marker) } })
        let control = LureControl.verdict(marker: marker, fetched: reached.value, answered: answer.status)
        try #require(control.passed, Comment(rawValue: "expected \(control.check); \(control.detail ?? "")"))
        let probed = baseline.lure.requests.count
        let lures = baseline.token.mutations(keys: baseline.keys, lureURL: baseline.lure.baseURL).filter { $0.lure != nil }
        #expect(lures.count == 2, "the jku and x5u mutations")
        for mutation in lures {
            let response = try await backend.http.send(backend.messages.request("hi", token: mutation.token))
            #expect(response.status == 401, "'\(mutation.name)' answered \(response.status)")
        }
        // A backend that fetches in the background gets a moment to do it.
        try await Task.sleep(for: .seconds(1))
        let fetched = baseline.lure.requests.dropFirst(probed).map(\.path)
        #expect(fetched.isEmpty, "the backend fetched \(fetched) from the lure at \(baseline.lure.baseURL)")
    }

    @Test("validly signed tokens are judged by their claims (exp, nbf, iat with leeway; aud; iss)", .rules("S3.9", "S3.10", "S3.11"),
          .requires(.signingKey), arguments: ClaimFault.Case.allCases)
    func claimsAreChecked(_ faultCase: ClaimFault.Case) async throws {
        if faultCase == .wrongIssuer, backend.issuer == nil {
            try Staging.skip("not exercised: the project issues no iss (JWT_ISSUER=none), so there is no issuer to get wrong")
        }
        let baseline = try await baseline()
        let key = try #require(TokenSigningKey(configuration: Staging.configuration))
        // "now" is the server's, from its Date header.
        let probe = try await backend.http.send(backend.template.request(.get, backend.url(.healthPath)))
        let now = ClaimFault.serverTime(probe.headers) ?? Int(Date().timeIntervalSince1970)
        let fault = ClaimFault.make(faultCase, base: baseline.token.claims, now: now, leeway: Staging.configuration.int(.jwtLeeway),
                                    issuer: backend.issuer, key: key)
        let trace = StagingBackend.newTraceID()
        let request = backend.messages.request("hi", token: fault.token, traceID: trace)
        if fault.expectedStatus == 200 { try await Self.pace.next() }
        let response = try await backend.http.send(request)
        let verdicts: [Verdict] = fault.expectedStatus == 200
            ? [Verdict("accepted (200)", passed: response.status == 200, detail: "got \(response.status): \(response.text.prefix(300))")]
            : ErrorBodyCheck(status: 401, codes: Staging.configuration.codes(fault.expectedCodes), traceID: trace, anonymousRefusal: false).verdicts(response)
        let code = JSONValue.parse(response.body)?["code"]?.string
        await Self.results.add(MutationResult(kind: "signed, one faulty claim", mutation: fault.name, status: response.status, code: code,
                                              milliseconds: 0, verdict: verdicts.failures.isEmpty ? (fault.expectedStatus == 200 ? "accepted" : "refused") : "FAIL",
                                              failures: verdicts.failures.map(\.check)))
        Staging.evidence.note(TraceNote(kind: .mutation, caseID: Staging.caseID, traceID: trace, status: response.status,
                                        name: fault.name, passed: verdicts.failures.isEmpty, message: code))
        try Staging.evidence.record("jwt_mutations.json", json: await Self.results.all)
        Staging.expect(verdicts, "signed token '\(fault.name)'")
    }

    @Test("after the matrix the original token still works", .rules("S1.11"))
    func originalTokenStillWorks() async throws {
        let baseline = try await baseline()
        try await Self.pace.next()
        let response = try await backend.messages.json("still me?", token: baseline.session.accessToken)
        #expect(response.status == 200, "the original token was refused after the matrix: \(response.status) \(response.text.prefix(300))")
    }
}

struct MutationResult: Codable, Sendable {
    let kind: String
    let mutation: String
    let status: Int
    let code: String?
    let milliseconds: Double
    let verdict: String
    let failures: [String]
}

/// Spaces calls to at most `perSecond` a second.
actor Pacer {
    let interval: Duration
    private var last: ContinuousClock.Instant?

    init(perSecond: Int) { interval = .seconds(1) / perSecond }

    func next() async throws {
        if let last, case let wait = last + interval - .now, wait > .zero { try await Task.sleep(for: wait) }
        last = .now
    }
}

actor MutationLog {
    private(set) var all: [MutationResult] = []
    func add(_ result: MutationResult) { all.append(result) }
}

extension JWTMutation.Kind: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}

extension ClaimFault.Case: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}

extension Tag {
    @Tag static var jwt: Self
    @Tag static var limits: Self
}
