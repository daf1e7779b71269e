// swift-tools-version: 6.1
import PackageDescription

// The benchmarks, a package of their own so that package-benchmark and the
// peers it is compared with are built only by `ci/bench`, never by `ci/test`.
let package = Package(
    name: "AnonE2EBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "AnonE2E", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // `swift package benchmark`: parse, transport, CLI output, redaction, slow-consumer memory.
        .executableTarget(
            name: "AnonE2EBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Transport", package: "AnonE2E"),
                .product(name: "Protocols", package: "AnonE2E"),
                .product(name: "Evidence", package: "AnonE2E"),
                .product(name: "Contract", package: "AnonE2E"),
                .product(name: "LoopbackServer", package: "AnonE2E"),
            ],
            path: "Benchmarks/AnonE2EBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The Swift readers of ci/bench's side-by-side table. mattt/EventSource (1.1.1) is not
        // among them: it does not build on Linux (it calls URLSession.bytes, which
        // swift-corelibs-foundation lacks), so its parser cannot be fed bytes here.
        .executableTarget(
            name: "sse-read",
            dependencies: [
                .product(name: "Transport", package: "AnonE2E"),
                .product(name: "Protocols", package: "AnonE2E"),
                .product(name: "Evidence", package: "AnonE2E"),
                .product(name: "Contract", package: "AnonE2E"),
            ]
        ),
        // The times the suite reports against the packets' own (ci/bench-wire).
        .executableTarget(
            name: "wire-times",
            dependencies: [
                .product(name: "Transport", package: "AnonE2E"),
                .product(name: "Protocols", package: "AnonE2E"),
                .product(name: "LoopbackServer", package: "AnonE2E"),
            ]
        ),
        // How many concurrent streams a backend holds (ci/bench-streams).
        .executableTarget(
            name: "streams-hold",
            dependencies: [
                .product(name: "Transport", package: "AnonE2E"),
                .product(name: "Protocols", package: "AnonE2E"),
                .product(name: "Evidence", package: "AnonE2E"),
                .product(name: "Contract", package: "AnonE2E"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
