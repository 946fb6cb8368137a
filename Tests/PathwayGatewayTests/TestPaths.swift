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

    /// The binary where users other than root can run it: the build's own when they can reach it,
    /// else a copy (with `Schemas/` beside it, where it looks for them) in the temporary directory.
    /// A checkout under a private directory (/root) is unreachable for `nobody`; the tests that
    /// drop privileges must still run there, CI's clone included. Nil when not root or no setpriv.
    static let binaryForOtherUsers: String? = {
        let setpriv = "/usr/bin/setpriv"
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: setpriv) else { return nil }
        // `validate` loads the schemas (found next to the binary) and rejects the probe: exit 1.
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("pg-probe-\(getpid()).xml").path
        guard FileManager.default.createFile(atPath: probe, contents: Data("<probe/>".utf8), attributes: [.posixPermissions: 0o644]) else {
            return nil
        }
        defer { unlink(probe) }
        func runsAsNobody(_ binary: String) -> Bool {
            let output = try? GatewayProcess.run(["validate", probe], wrapper: [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"],
                                                 binary: binary)
            return output?.status == 1
        }
        if runsAsNobody(binary) { return binary }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-bin-\(getpid())")
        let copy = dir.appendingPathComponent("pathway-gateway")
        do {
            try? FileManager.default.removeItem(at: dir)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            try FileManager.default.copyItem(atPath: binary, toPath: copy.path)
            try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("Schemas"), to: dir.appendingPathComponent("Schemas"))
        } catch { return nil }
        return runsAsNobody(copy.path) ? copy.path : nil
    }()

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
