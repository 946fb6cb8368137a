import Foundation
import Testing
@testable import PathwayGateway

/// `FileReader.read(onlyOwnFile:)`: what the gateway reads back from a partner's outbox must be a
/// file it wrote itself — not one the partner put under its name, nor a second name of another.
@Suite struct FileReaderOwnershipTests {
    @Test func onlyTheGatewaysOwnSingleNamedFilesAreRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-own-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let own = dir.appendingPathComponent("own.xml").path
        #expect(FileManager.default.createFile(atPath: own, contents: Data("<a/>".utf8)))
        #expect(try FileReader.read(own, limit: 100, onlyOwnFile: true) == Array("<a/>".utf8))
        let second = dir.appendingPathComponent("second.xml").path
        #expect(link(own, second) == 0)
        #expect(throws: FileReader.Failure.self) { try FileReader.read(own, limit: 100, onlyOwnFile: true) }
        #expect(try FileReader.read(own, limit: 100) == Array("<a/>".utf8), "without the check it reads as before")
        guard getuid() == 0 else { return }  // a file of another user needs root to make
        let theirs = dir.appendingPathComponent("theirs.xml").path
        #expect(FileManager.default.createFile(atPath: theirs, contents: Data("<b/>".utf8)))
        #expect(chown(theirs, 65534, 65534) == 0)
        #expect(throws: FileReader.Failure.self) { try FileReader.read(theirs, limit: 100, onlyOwnFile: true) }
    }
}
