// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "PosGuard",
    platforms: [.macOS(.v15)],
    products: [.executable(name: "posguard", targets: ["posguard"])],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", exact: "2.5.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", exact: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", exact: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", exact: "2.17.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", exact: "0.9.20"),
    ],
    targets: [
        .target(
            name: "PosGuardDomain",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "PosGuardISO8583",
            swiftSettings: strict
        ),
        .target(
            name: "PosGuardStorage",
            dependencies: [
                "PosGuardDomain",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PosGuardServices",
            dependencies: [
                "PosGuardDomain",
                "PosGuardStorage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            resources: [.copy("Resources/common-passwords.txt")],
            swiftSettings: strict
        ),
        .target(
            name: "PosGuardGateway",
            dependencies: [
                "PosGuardDomain",
                "PosGuardISO8583",
                "PosGuardServices",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PosGuardWeb",
            dependencies: [
                "PosGuardDomain",
                "PosGuardStorage",
                "PosGuardServices",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/console")],
            swiftSettings: strict
        ),
        .target(
            name: "PosGuardApp",
            dependencies: [
                "PosGuardDomain",
                "PosGuardStorage",
                "PosGuardServices",
                "PosGuardWeb",
                "PosGuardGateway",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "posguard",
            dependencies: [
                "PosGuardDomain",
                "PosGuardStorage",
                "PosGuardServices",
                "PosGuardWeb",
                "PosGuardGateway",
                "PosGuardApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PosGuardTestSupport",
            dependencies: ["PosGuardDomain", "PosGuardStorage", "PosGuardServices", "PosGuardWeb", "PosGuardApp"],
            path: "Tests/PosGuardTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "PosGuardGatewayTests",
            dependencies: [
                "PosGuardGateway", "PosGuardApp", "PosGuardTestSupport",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PosGuardISO8583Tests",
            dependencies: ["PosGuardISO8583"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PosGuardDomainTests",
            dependencies: ["PosGuardDomain", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PosGuardStorageTests",
            dependencies: [
                "PosGuardStorage", "PosGuardServices", "PosGuardTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PosGuardWebTests",
            dependencies: [
                "PosGuardWeb",
                "PosGuardApp",
                "PosGuardTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
    ]
)
