import Foundation
import Testing
@testable import PathwayGateway

/// Where the package and the shared reference material are, derived from this file's path so the
/// tests work from any working directory.
enum TestPaths {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let samples = shared.appendingPathComponent("conformance/samples")
    static let officialDriver = shared.appendingPathComponent("conformance/xsd/validate-all.xsd").path
    static let ourDriver = packageRoot.appendingPathComponent("Schemas/pathway-gateway.xsd").path
    static let binary = packageRoot.appendingPathComponent(".build/debug/pathway-gateway").path

    /// True when ../shared exists; tests that need it are disabled with a message otherwise.
    static var hasShared: Bool { FileManager.default.fileExists(atPath: samples.path) }
    static let sharedMissing: Comment = "../shared (conformance samples, official XSDs) is not present next to the repository"

    static func sample(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: samples.appendingPathComponent(name)))
    }

    static func sampleNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: samples.path).filter { $0.hasSuffix(".xml") }.sorted()
    }
}

/// Compiled schema sets, shared by all tests (compiling costs a few milliseconds each).
enum TestSchemas {
    static let ours: SchemaSet = try! SchemaSet(driverAt: TestPaths.ourDriver)
    static let official: SchemaSet? = TestPaths.hasShared ? try? SchemaSet(driverAt: TestPaths.officialDriver) : nil
    static let validator = MessageValidator(schemas: ours)
}
