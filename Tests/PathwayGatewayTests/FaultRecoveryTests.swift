import Foundation
import Testing
@testable import PathwayGateway

/// An output directory that cannot be written (here: replaced by a plain file, which fails even
/// for root) must not stop the service: the batch fails with a clear log line, the daemon backs
/// off and retries, and once the fault clears everything is delivered exactly once.
@Suite struct FaultRecoveryTests {
    @Test func unwritableOutboundIsRetriedUntilItClears() throws {
        let workspace = try DaemonEndToEndTests.Workspace()
        let outbound = workspace.root.appendingPathComponent("spool/outbound/bergen-kommune").path
        let errURL = workspace.root.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = try workspace.start(["run"], stderr: try FileHandle(forWritingTo: errURL))
        defer { if process.isRunning { process.terminate() } }
        // Wait for the spool, then break Bergen's outbound directory.
        let ready = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: outbound) && Date() < ready { usleep(20_000) }
        try FileManager.default.removeItem(atPath: outbound)
        _ = FileManager.default.createFile(atPath: outbound, contents: Data("not a directory".utf8))
        try workspace.drop(SampleSet.all[0].bytes, as: "sp1.xml")
        try workspace.drop(SampleSet.all[4].bytes, as: "other.xml")
        let failed = Date().addingTimeInterval(10)
        while !String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self).contains("batch failed") && Date() < failed {
            usleep(50_000)
        }
        #expect(process.isRunning, "a failed batch must not end the service")
        #expect(workspace.visible("outbound/helse-bergen").isEmpty, "no AppRec before its routed message exists")
        // The fault clears: the next retry finishes both files, exactly once.
        try FileManager.default.removeItem(atPath: outbound)
        try FileManager.default.createDirectory(atPath: outbound, withIntermediateDirectories: false)
        let done = Date().addingTimeInterval(20)
        while workspace.visible("outbound/helse-bergen").count < 2 && Date() < done { usleep(50_000) }
        #expect(workspace.visible("outbound/bergen-kommune").count == 1)
        #expect(workspace.visible("outbound/helse-bergen").count == 2)
        #expect(workspace.files("state/processing/helse-bergen").isEmpty)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try workspace.auditRecords().count == 2)
        let log = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        #expect(log.contains("outbound/bergen-kommune"), "the error names the directory: \(log)")
    }
}
