// swift-tools-version: 6.1
import PackageDescription

// The reference backend the suite runs against by default. It shares no code
// with the suite's modules, so the two cannot agree on a shared bug.
let package = Package(
    name: "LocalStaging",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "local-staging", targets: ["local-staging"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        .target(
            name: "LocalStagingCore",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(name: "local-staging", dependencies: ["LocalStagingCore"]),
        .testTarget(
            name: "LocalStagingTests",
            dependencies: [
                "LocalStagingCore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
