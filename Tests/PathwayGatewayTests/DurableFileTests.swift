import Foundation
import Testing
@testable import PathwayGateway

@Suite struct DurableFileTests {
    private static func entries(_ dir: DatabaseTestDirectory, _ sub: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path(sub)).sorted()
    }

    private static func permissions(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func writesOwnerOnlyWithNoTemporaryLeftBehind() throws {
        let dir = try DatabaseTestDirectory()
        let path = dir.path("a.xml")
        #expect(try DurableFile.write(Array("hei".utf8), to: path) == .created)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("hei".utf8))
        #expect(try Self.permissions(path) == 0o600)
        #expect(try Self.entries(dir) == ["a.xml"])
        try DurableFile.write([], to: dir.path("b.xml"), mode: 0o640)
        #expect(try Self.permissions(dir.path("b.xml")) == 0o640)  // exact, regardless of umask
    }

    /// Files get their exact mode by fchmod only where the umask would clear one of its bits;
    /// that needs the umask, read from /proc without changing it (a umask() call would race
    /// every other thread creating files).
    @Test func theUmaskIsReadWithoutChangingIt() throws {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Umask:") })
        #expect(DurableFile.umask == mode_t(line.split(separator: "\t").last ?? "", radix: 8))
        #expect(DurableFile.umask <= 0o777)
    }

    @Test func identicalContentIsIdempotentDifferentIsRefused() throws {
        let dir = try DatabaseTestDirectory()
        let path = dir.path("a.xml")
        try DurableFile.write([1, 2, 3], to: path)
        #expect(try DurableFile.write([1, 2, 3], to: path) == .alreadyPresent)
        #expect(throws: DurableFile.Failure.existsWithDifferentContent(path: path)) {
            try DurableFile.write([9], to: path)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([1, 2, 3]))
        #expect(try Self.entries(dir) == ["a.xml"])
    }

    @Test func errorsCarryPathOperationAndErrno() throws {
        let dir = try DatabaseTestDirectory()
        let missing = dir.path("no-such-dir/a.xml")
        let error = #expect(throws: DurableFile.Failure.self) { try DurableFile.write([1], to: missing) }
        guard case let .system(operation, path, code)? = error else { Issue.record("wrong case"); return }
        #expect(operation == "open")
        #expect(path.hasPrefix(dir.path("no-such-dir/.a.xml.")))
        #expect(code == ENOENT)
        #expect(error?.description.contains("No such file or directory") == true)
        #expect(throws: DurableFile.Failure.self) { try DurableFile.atomicMove(from: dir.path("nope"), to: dir.path("x")) }
    }

    @Test func atomicMoveMovesOnceAndNeverReplaces() throws {
        let dir = try DatabaseTestDirectory()
        try DurableFile.ensureDirectory(dir.path("archive"))
        try DurableFile.write([7], to: dir.path("in.xml"))
        #expect(try DurableFile.atomicMove(from: dir.path("in.xml"), to: dir.path("archive/in.xml")) == .created)
        #expect(try Self.entries(dir) == ["archive"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("archive/in.xml"))) == Data([7]))
        #expect(try DurableFile.atomicMove(from: dir.path("in.xml"), to: dir.path("archive/in.xml")) == .alreadyPresent)

        // A crash between link and unlink leaves two names for one file: the re-run finishes it.
        #expect(link(dir.path("archive/in.xml"), dir.path("again.xml")) == 0)
        #expect(try DurableFile.atomicMove(from: dir.path("again.xml"), to: dir.path("archive/in.xml")) == .alreadyPresent)
        #expect(!FileManager.default.fileExists(atPath: dir.path("again.xml")))

        try DurableFile.write([8], to: dir.path("other.xml"))
        #expect(throws: DurableFile.Failure.existsWithDifferentContent(path: dir.path("archive/in.xml"))) {
            try DurableFile.atomicMove(from: dir.path("other.xml"), to: dir.path("archive/in.xml"))
        }
        #expect(FileManager.default.fileExists(atPath: dir.path("other.xml")))
    }

    @Test func ensureDirectoryCreatesParentsPrivately() throws {
        let dir = try DatabaseTestDirectory()
        let nested = dir.path("spool/outbound/helse-bergen")
        try DurableFile.ensureDirectory(nested)
        try DurableFile.ensureDirectory(nested)
        #expect(try Self.permissions(nested) == 0o700)
        #expect(try Self.permissions(dir.path("spool")) == 0o700)
        try DurableFile.write([1], to: dir.path("file"))
        #expect(throws: DurableFile.Failure.notADirectory(path: dir.path("file"))) { try DurableFile.ensureDirectory(dir.path("file")) }
    }
}
