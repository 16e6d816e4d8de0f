// swift-tools-version:6.0
import PackageDescription

// No packages beyond the toolchain: Foundation, Dispatch, Glibc, XCTest / Swift Testing and the
// system C libraries. This is the product owner's choice: a single binary beside the PBX.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    // The modules are small (the HTTP wire format apart from the server, the port apart from the
    // daemon): without this, release builds cannot inline across them, and the API benchmark
    // lost 5-8 % when they were split.
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "ccagentd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "amisim", targets: ["amisim"]),
        .executable(name: "ccagentd", targets: ["ccagentd"]),
        .executable(name: "ccagentctl", targets: ["ccagentctl"]),
        .library(name: "AMI", targets: ["AMI"]),
        .library(name: "AMISimulator", targets: ["AMISimulator"]),
    ],
    targets: [
        .target(name: "SystemSupport", swiftSettings: strict),
        .target(name: "AMI", dependencies: ["SystemSupport"], swiftSettings: strict),
        .target(name: "AgentCore", swiftSettings: strict),
        .target(name: "Config", dependencies: ["AgentCore", "SystemSupport"], exclude: ["ccagentd.conf.5"], swiftSettings: strict),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt", providers: [.apt(["libcrypt-dev"])]),
        .target(name: "Store", dependencies: ["CSQLite", "AgentCore", "SystemSupport"], swiftSettings: strict),
        // What the control API may ask of the daemon (`ControlPort`) and the values that cross it.
        .target(name: "ControlPort", dependencies: ["AgentCore", "Config", "SystemSupport"], swiftSettings: strict),
        .target(
            name: "Daemon", dependencies: ["AMI", "AgentCore", "Config", "ControlPort", "Store", "SystemSupport"],
            swiftSettings: strict),
        .target(name: "AMISimulator", dependencies: ["AMI", "SystemSupport"], swiftSettings: strict),
        // The HTTP wire format, for the server and for ccagentctl: request and response codecs,
        // headers, status, JSON, server-sent events, dates.
        .target(name: "HTTPWire", dependencies: ["SystemSupport"], swiftSettings: strict),
        // libcrypt: password hashes and checks, random bytes, constant-time comparison.
        .target(name: "Crypt", dependencies: ["CCrypt", "SystemSupport"], swiftSettings: strict),
        // The HTTP/1.1 server on SystemSupport's event loop: connections, limits, keep-alive, streams.
        .target(name: "HTTPServing", dependencies: ["HTTPWire", "SystemSupport"], swiftSettings: strict),
        .target(
            name: "ControlAPI",
            dependencies: ["HTTPWire", "HTTPServing", "Crypt", "SystemSupport", "AgentCore", "Config", "ControlPort"],
            swiftSettings: strict),
        .executableTarget(
            name: "ccagentd", dependencies: ["Daemon", "ControlAPI", "ControlPort", "Config", "AgentCore", "SystemSupport"],
            exclude: ["ccagentd.8"], swiftSettings: strict),
        .executableTarget(name: "amisim", dependencies: ["AMISimulator", "AMI", "SystemSupport"], swiftSettings: strict),
        .target(name: "CtlKit", dependencies: ["HTTPWire", "Crypt", "SystemSupport"], swiftSettings: strict),
        .executableTarget(name: "ccagentctl", dependencies: ["CtlKit", "SystemSupport"], exclude: ["ccagentctl.1"], swiftSettings: strict),
        .executableTarget(
            name: "AgentCoreBenchmark", dependencies: ["AgentCore"], path: "Benchmarks/AgentCoreBenchmark",
            swiftSettings: strict),
        .executableTarget(
            name: "AMIDecoderBenchmark", dependencies: ["AMI"], path: "Benchmarks/AMIDecoderBenchmark",
            swiftSettings: strict),
        .executableTarget(
            name: "DaemonBenchmark", dependencies: ["Daemon", "ControlPort", "AMISimulator", "AMI", "AgentCore", "Config", "SystemSupport"],
            path: "Benchmarks/DaemonBenchmark", swiftSettings: strict),
        .executableTarget(
            name: "APIBenchmark", dependencies: ["ControlAPI", "ControlPort", "Crypt", "HTTPWire", "Daemon", "AMISimulator", "Config", "SystemSupport"],
            path: "Benchmarks/APIBenchmark", swiftSettings: strict),
        // Test-only helpers shared by every test target (never linked into a product): loopback
        // clients, the AMI test client, child processes, fake systemd, temp directories, waiting,
        // a seeded generator, the decoder verifier, INI fixtures.
        .target(name: "TestSupport", dependencies: ["AMI", "SystemSupport"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "TestSupportTests", dependencies: ["TestSupport", "SystemSupport"], swiftSettings: strict),
        .testTarget(name: "AgentCoreTests", dependencies: ["AgentCore", "TestSupport"], swiftSettings: strict),
        // Also runs the built ccagentd (check-config) as a process.
        .testTarget(
            name: "ConfigTests", dependencies: ["Config", "AgentCore", "SystemSupport", "TestSupport", "ccagentd"],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "SystemSupportTests", dependencies: ["SystemSupport", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "AMITests", dependencies: ["AMI", "AMISimulator", "SystemSupport", "TestSupport"],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        .executableTarget(
            name: "StoreCrashHelper", dependencies: ["Store", "AgentCore"], path: "Tests/StoreCrashHelper",
            swiftSettings: strict),
        // Runs StoreCrashHelper as a process.
        .testTarget(
            name: "StoreTests", dependencies: ["Store", "AgentCore", "ControlPort", "StoreCrashHelper", "SystemSupport", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "DaemonTests",
            dependencies: ["ControlPort", "Daemon", "AMISimulator", "AMI", "AgentCore", "Config", "Store", "SystemSupport", "TestSupport"],
            swiftSettings: strict),
        // Also runs the built amisim as a process.
        .testTarget(
            name: "AMISimulatorTests", dependencies: ["AMISimulator", "AMI", "SystemSupport", "TestSupport", "amisim"],
            swiftSettings: strict),
        .testTarget(
            name: "ControlAPITests", dependencies: ["ControlPort", "ControlAPI", "HTTPWire", "HTTPServing", "Crypt", "AgentCore", "Config", "SystemSupport", "TestSupport"],
            swiftSettings: strict),
        // Also runs the built ccagentctl as a process.
        .testTarget(
            name: "CcagentctlTests", dependencies: ["ControlPort", "CtlKit", "HTTPWire", "HTTPServing", "Crypt", "ControlAPI", "SystemSupport", "TestSupport", "ccagentctl"],
            swiftSettings: strict),
        // Runs the built ccagentd, amisim and ccagentctl as processes.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "AMI", "AgentCore", "Store", "ControlAPI", "ControlPort", "HTTPWire", "HTTPServing", "Crypt", "CtlKit", "SystemSupport", "TestSupport", "ccagentd", "amisim",
                "ccagentctl",
            ],
            swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
