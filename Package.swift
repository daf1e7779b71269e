// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "AnonE2E",
    platforms: [.macOS(.v15)],
    products: [
        // The layers, for the package-benchmark suite in Benchmarks/ (a package of its own).
        .library(name: "Transport", targets: ["Transport"]),
        .library(name: "Protocols", targets: ["Protocols"]),
        .library(name: "Evidence", targets: ["Evidence"]),
        .library(name: "Contract", targets: ["Contract"]),
        .library(name: "LoopbackServer", targets: ["LoopbackServer"]),
        .executable(name: "anon-e2e", targets: ["anon-e2e"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", exact: "0.2.0"),
    ],
    targets: [
        // C libraries through pkg-config; the shims wrap the variadic calls Swift cannot make.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // The layers, each a target whose dependencies point down (docs/DESIGN.md;
        // LayeringTests checks every import against this order).
        // libcurl (engine, transfers, deadlines by phase) and libpq (a read-only session).
        .target(name: "Transport", dependencies: ["CCurl", "CLibPQ"]),
        // The SSE parser, the GoTrue client, JWT, the Socket.IO polling client.
        .target(
            name: "Protocols",
            dependencies: [
                "Transport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Artifacts under artifacts/<run>/, redaction, the trace notes.
        .target(name: "Evidence", dependencies: ["Protocols", "Transport", .product(name: "Crypto", package: "swift-crypto")]),
        // What "correct" means: the settings, the backend's routes, the checks.
        .target(name: "Contract", dependencies: ["Evidence", "Protocols", "Transport"]),
        // The Swift Testing bridge the cases use; kept out of Contract so the CLI
        // does not link the test framework.
        .target(name: "AnonE2ETesting", dependencies: ["Contract", "Evidence", "Protocols", "Transport"]),
        // The run history (SQLite through GRDB).
        .target(name: "RunHistory", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        // A run's metrics in the Prometheus text format, and the Pushgateway client.
        .target(
            name: "RunMetrics",
            dependencies: ["RunHistory", "Transport", .product(name: "Prometheus", package: "swift-prometheus")]
        ),
        // After a run (CLI only): the outcome read once, the verdict, the reports,
        // JUnit, the secret scan, coverage, the dashboard, the daily run.
        .target(
            name: "RunReporting",
            dependencies: ["Contract", "Evidence", "Protocols", "Transport", "RunHistory", "RunMetrics",
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The stability plan's runner: soak, burst and faults, every closure checked.
        .target(
            name: "LoadRunner",
            dependencies: ["Contract", "Evidence", "Protocols", "Transport", .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        // A loopback HTTP server for offline tests and benchmarks: plain sockets,
        // so the transport is tested against something it does not share code with.
        .target(name: "LoopbackServer"),
        .executableTarget(
            name: "anon-e2e",
            dependencies: [
                "Contract", "Evidence", "Protocols", "Transport", "RunReporting", "RunHistory", "RunMetrics", "LoadRunner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The benchmarks' own readers (ci/bench), built with the rest so that `ci/bench --quick`
        // needs no build of its own: the side-by-side reader, the times against the wire,
        // the streams one process holds.
        .executableTarget(name: "sse-read", dependencies: ["Transport", "Protocols", "Evidence", "Contract"]),
        .executableTarget(name: "wire-times", dependencies: ["Transport", "Protocols", "LoopbackServer"]),
        .executableTarget(name: "streams-hold", dependencies: ["Transport", "Protocols", "Evidence", "Contract"]),
        // Offline tests, one target per module.
        .testTarget(name: "TransportTests", dependencies: ["Transport", "Protocols", "LoopbackServer"]),
        .testTarget(name: "ProtocolsTests", dependencies: ["Protocols", "Transport"]),
        .testTarget(name: "EvidenceTests", dependencies: ["Evidence", "Protocols", "Transport", "Contract", "AnonE2ETesting"]),
        .testTarget(name: "ContractTests", dependencies: ["Contract", "Evidence", "Protocols", "Transport", "LoopbackServer"]),
        .testTarget(
            name: "RunReportingTests",
            dependencies: ["RunReporting", "RunHistory", "RunMetrics", "LoadRunner", "Contract", "Evidence", "Protocols",
                           "Transport", "AnonE2ETesting", "LoopbackServer"]
        ),
        .testTarget(name: "AnonE2ETestingTests", dependencies: ["AnonE2ETesting"]),
        .testTarget(name: "LayeringTests"),
        // The Staging cases: they speak the testing bridge and the contract.
        .testTarget(
            name: "AnonE2ETests",
            dependencies: ["AnonE2ETesting", "Contract", "Evidence", "Protocols", "Transport", "LoopbackServer"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
