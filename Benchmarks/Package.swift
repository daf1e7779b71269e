// swift-tools-version: 6.1
import PackageDescription

// The package-benchmark suite, a package of its own so that package-benchmark is
// built only by `ci/bench`, never by `ci/test`. The readers ci/bench compares with
// their peers are executables of the main package.
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
    ],
    swiftLanguageModes: [.v6]
)
