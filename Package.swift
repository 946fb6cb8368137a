// swift-tools-version: 6.0
import PackageDescription

// No Swift package dependencies by design: Foundation plus Debian system libraries
// (libxml2, SQLite, OpenSSL libcrypto) through system-library targets.
let package = Package(
    name: "PathwayGateway",
    products: [
        .executable(name: "pathway-gateway", targets: ["PathwayGatewayCLI"]),
        .executable(name: "gateway-bench", targets: ["GatewayBench"]),
        .library(name: "PathwayGateway", targets: ["PathwayGateway"]),
    ],
    targets: [
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Linux calls Swift's Glibc module leaves out (syncfs); header only, nothing to link.
        .systemLibrary(name: "CSystem"),
        .target(name: "PathwayGateway", dependencies: ["CLibXML2", "CSQLite", "CCrypto", "CSystem"]),
        .executableTarget(name: "PathwayGatewayCLI", dependencies: ["PathwayGateway"]),
        .executableTarget(name: "GatewayBench", dependencies: ["PathwayGateway", "CLibXML2"], path: "bench/GatewayBench"),
        .testTarget(name: "PathwayGatewayTests", dependencies: ["PathwayGateway"]),
    ]
)
