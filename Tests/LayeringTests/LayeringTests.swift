import Foundation
import Testing

/// The layers of docs/DESIGN.md: a module imports only the modules below it.
/// SwiftPM finds an undeclared module that happens to be built, so the
/// dependency lists alone do not enforce this; the sources are read instead.
@Suite struct LayeringTests {
    /// Each module of this package and the modules of this package it may import.
    static let allowed: [String: Set<String>] = [
        "Transport": [],
        "Protocols": ["Transport"],
        "Evidence": ["Protocols", "Transport"],
        "Contract": ["Evidence", "Protocols", "Transport"],
        "AnonE2ETesting": ["Contract", "Evidence", "Protocols", "Transport"],
        "RunHistory": [],
        "RunMetrics": ["RunHistory", "Transport"],
        "RunReporting": ["Contract", "Evidence", "Protocols", "Transport", "RunHistory", "RunMetrics"],
        "LoadRunner": ["Contract", "Evidence", "Protocols", "Transport"],
        "LoopbackServer": [],
    ]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// The package's own modules a file imports (`import X`, `@testable import X`).
    static func imports(in file: URL, among modules: Set<String>) throws -> Set<String> {
        let text = try String(contentsOf: file, encoding: .utf8)
        var found: Set<String> = []
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard let index = words.firstIndex(of: "import"), index + 1 < words.count else { continue }
            let name = String(words[index + 1])
            if modules.contains(name) { found.insert(name) }
        }
        return found
    }

    @Test("no module imports a module above it", arguments: allowed.keys.sorted())
    func importsPointDown(_ module: String) throws {
        let folder = Self.sources.appendingPathComponent(module)
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).filter { $0.pathExtension == "swift" }
        #expect(!files.isEmpty, "no sources in \(folder.path)")
        let modules = Set(Self.allowed.keys)
        for file in files {
            let above = try Self.imports(in: file, among: modules).subtracting(Self.allowed[module]!).subtracting([module])
            #expect(above.isEmpty, "\(module)/\(file.lastPathComponent) imports \(above.sorted()), above its layer")
        }
    }

    /// The executables, above every layer: the CLI and the benchmarks' readers.
    static let executables: Set<String> = ["anon-e2e", "sse-read", "wire-times", "streams-hold"]

    @Test("every module of Sources/ has its place in the layers")
    func everyModuleIsPlaced() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path)
        let modules = folders.filter { !$0.hasPrefix("C") && !Self.executables.contains($0) }
        #expect(Set(modules).subtracting(Self.allowed.keys).isEmpty, "modules without a layer: \(Set(modules).subtracting(Self.allowed.keys).sorted())")
    }

    /// Where a `RequestTemplate` may be made: the target's comes from StagingBackend, and
    /// only requests to something that is not the target (the team's Pushgateway, the
    /// stream command's own URL, the lure this machine serves, the benchmarks' readers that
    /// time the transport alone) get another.
    static let templateMakers: Set<String> = [
        "Sources/Transport/RequestTemplate.swift", "Sources/Contract/StagingBackend.swift", "Sources/RunMetrics/Pushgateway.swift",
        "Sources/anon-e2e/StreamCommand.swift", "Tests/AnonE2ETests/StagingJWTTests.swift",
        "Sources/sse-read/main.swift", "Sources/streams-hold/StreamsBenchmark.swift", "Sources/wire-times/main.swift",
    ]

    @Test("every request to the target is built from its one template (TLS, encodings, deadlines)")
    func oneWayToBuildARequest() throws {
        let root = Self.sources.deletingLastPathComponent()
        var makers: Set<String> = []
        for folder in ["Sources", "Tests/AnonE2ETests"] {
            let walker = FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path)
            while let path = walker?.nextObject() as? String {
                guard path.hasSuffix(".swift") else { continue }
                let text = try String(contentsOf: root.appendingPathComponent(folder).appendingPathComponent(path), encoding: .utf8)
                #expect(path.hasPrefix("Transport/") || !text.contains("HTTPRequest("), "\(folder)/\(path) builds an HTTPRequest itself; use the target's RequestTemplate")
                if text.contains("RequestTemplate(") { makers.insert("\(folder)/\(path)") }
            }
        }
        #expect(makers.subtracting(Self.templateMakers).isEmpty, "a RequestTemplate made outside its places: \(makers.subtracting(Self.templateMakers).sorted())")
    }
}
