// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "AnonE2E",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TestSupport", targets: ["TestSupport"]),
        // For the package-benchmark suite in Benchmarks/, a package of its own.
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
        .target(
            name: "TestSupport",
            dependencies: [
                "CCurl", "CLibPQ",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // The bridge to Swift Testing (attachments, staging traits), kept out of
        // TestSupport so the CLI does not link the test framework.
        .target(
            name: "TestSupportTesting",
            dependencies: ["TestSupport"]
        ),
        // The run history (SQLite through GRDB) and the dashboard drawn from it.
        .target(
            name: "RunHistory",
            dependencies: ["TestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // A run's metrics in the Prometheus text format, and the Pushgateway client.
        .target(
            name: "RunMetrics",
            dependencies: ["TestSupport", "RunHistory", .product(name: "Prometheus", package: "swift-prometheus")]
        ),
        // The stability plan's runner: soak, burst and faults, every closure checked.
        .target(
            name: "LoadRunner",
            dependencies: ["TestSupport", .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        // A loopback HTTP server for offline tests and benchmarks: plain sockets,
        // so the transport is tested against something it does not share code with.
        .target(name: "LoopbackServer"),
        .executableTarget(
            name: "anon-e2e",
            dependencies: [
                "TestSupport", "RunHistory", "RunMetrics", "LoadRunner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "TestSupportTests",
            dependencies: ["TestSupport", "TestSupportTesting", "LoopbackServer", "RunHistory", "RunMetrics", "LoadRunner"],
            path: "Tests/TestSupportTests"
        ),
        .testTarget(
            name: "AnonE2ETests",
            dependencies: ["TestSupport", "TestSupportTesting", "LoopbackServer"],
            path: "Tests/AnonE2ETests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
