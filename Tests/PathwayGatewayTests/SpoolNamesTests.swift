import Foundation
import Testing
@testable import PathwayGateway
#if canImport(Glibc)
import Glibc
#endif

/// Names the gateway builds from inbound file names: never too long for the filesystem, never
/// overwriting an earlier file's, never replacing a file already claimed under the same name.
@Suite struct SpoolNamesTests {
    @Test func longNamesAreBoundedButStayRecognisableAndDistinct() {
        let short = "sp1 æøå.xml"
        #expect(SpoolPaths.boundedName(short) == short)
        let long = String(repeating: "å", count: 120) + ".xml"  // 244 bytes
        let bounded = SpoolPaths.boundedName(long)
        #expect(bounded.utf8.count <= SpoolPaths.maxNameBytes)
        #expect(bounded.hasPrefix("ååå") && bounded.hasSuffix(".xml"))
        #expect(bounded.contains("~"))
        #expect(SpoolPaths.boundedName(long + "x") != SpoolPaths.boundedName(long + "y"))
        // The longest derived name, staged under its temp name, still fits NAME_MAX (255).
        let paths = SpoolPaths(partner: "p", messageId: TimeOrderedID.make(), fileName: String(repeating: "n", count: 251) + ".xml")
        let reason = String(paths.reasonFile("x").path.split(separator: "/").last!)
        #expect(1 + reason.utf8.count + ".4194304-3w5e11264sgsf.tmp".utf8.count <= 255)
    }

    @Test func aClaimNeverReplacesAFileAlreadyClaimedUnderItsName() throws {
        let dir = try DatabaseTestDirectory()
        try Data("first".utf8).write(to: URL(fileURLWithPath: dir.path("claimed.xml")))
        try Data("second".utf8).write(to: URL(fileURLWithPath: dir.path("new.xml")))
        #expect(try DurableFile.renameNoReplace(dir.path("new.xml"), to: dir.path("claimed.xml")) == false)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.path("claimed.xml"))) == Data("first".utf8))
        #expect(FileManager.default.fileExists(atPath: dir.path("new.xml")), "the new file waits where it was")
        #expect(try DurableFile.renameNoReplace(dir.path("gone.xml"), to: dir.path("other.xml")) == false)
        #expect(try DurableFile.renameNoReplace(dir.path("new.xml"), to: dir.path("other.xml")) == true)
        #expect(throws: DurableFile.Failure.self) { try DurableFile.renameNoReplace(dir.path("other.xml"), to: dir.path("no-dir/x.xml")) }
    }

    /// An EPJ that reuses one file name: a second broken file under it gets its own notice (the
    /// first one's is never overwritten, and a different text must not stop the batch), and a
    /// good file under it is archived next to the first.
    @Test func aReusedFileNameGetsItsOwnOutputs() throws {
        let ws = try DaemonEndToEndTests.Workspace()
        try ws.drop(Array("not xml".utf8), as: "export.xml")
        #expect(try ws.run().status == 0)
        try ws.drop(Array("<broken".utf8), as: "export.xml")
        let second = try ws.run()
        #expect(second.status == 0, "\(second.stderr)")
        let notices = ws.files("outbound/helse-bergen").filter { $0.hasSuffix(".rejected.txt") }
        #expect(notices.count == 2 && notices.contains("export.xml.rejected.txt"), "\(notices)")
        #expect(ws.files("quarantine/helse-bergen").filter { $0.hasSuffix(".reason.txt") }.count == 2)
        try ws.drop(SampleSet.all[0].bytes, as: "export.xml")
        #expect(try ws.run().status == 0)
        #expect(ws.files("archive/helse-bergen").filter { $0.hasSuffix("-export.xml") }.count == 1)
        #expect(ws.files("inbound/helse-bergen").isEmpty && ws.files("state/processing/helse-bergen").isEmpty)
        #expect(try ws.auditRecords().filter { $0["file"] as? String == "export.xml" }.count == 3)
    }

    /// A name that is not UTF-8 is renamed with `%XX` and taken; a temp name is never touched.
    @Test func aNameThatIsNotUTF8IsRenamedAndTaken() throws {
        let dir = try DatabaseTestDirectory()
        for (name, bytes) in [("latin1", Array("rapport-".utf8) + [0xE6] + Array(".xml".utf8)),
                              ("temp", Array("skriv-".utf8) + [0xE6] + Array(".xml.tmp".utf8))] {
            let fd = open(Array((dir.path("") + "/").utf8).map(CChar.init(bitPattern:)) + bytes.map(CChar.init(bitPattern:)) + [0], O_CREAT | O_WRONLY, 0o600)
            #expect(fd >= 0, "\(name)")
            close(fd)
        }
        #expect(Spool.candidates(in: dir.path("")) == ["rapport-\u{FFFD}.xml"], "a survey only counts it")
        #expect(Spool.candidates(in: dir.path(""), renamingNonUTF8: true) == ["rapport-%E6.xml"])
        #expect(FileManager.default.fileExists(atPath: dir.path("rapport-%E6.xml")))
    }

    /// With a limit the listing holds at most about twice `limit` names and returns the first
    /// `limit` in sorted order, the same as the head of the full listing (issue 18: intake memory).
    @Test(arguments: [1, 7, 100, 1_000])
    func aLimitedListingIsTheHeadOfTheFullOne(limit: Int) throws {
        let dir = try DatabaseTestDirectory()
        for i in (0..<500).shuffled() {
            _ = FileManager.default.createFile(atPath: dir.path("m\(String(i * 7919 % 500)).xml"), contents: Data())
        }
        _ = FileManager.default.createFile(atPath: dir.path("skip.xml.tmp"), contents: Data())
        _ = FileManager.default.createFile(atPath: dir.path(".hidden.xml"), contents: Data())
        let all = try Spool.listCandidates(in: dir.path(""))
        #expect(all.count == 500)
        #expect(try Spool.listCandidates(in: dir.path(""), limit: limit) == Array(all.prefix(limit)))
    }
}
