import Foundation
import Testing
@testable import PathwayGateway

/// Regression test for the fuzzer's finding that libxml2 printed "encoding error : input conversion
/// failed due to input error, bytes 0x.. 0x.. 0x.. 0x.." (four bytes of the input) and "I/O error :
/// encoder error" straight to stderr, the daemon's structured log, bypassing it.
@Suite struct LibXML2StderrTests {
    @Test func encodingErrorsNeverReachStderr() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-enc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // UTF-16 with a lone surrogate, and ISO-2022-JP holding bytes its decoder refuses ("0385" in the middle).
        let files: [(String, [UInt8])] = [
            ("surrogate.xml", [0xFF, 0xFE, 0x3C, 0x00, 0x61, 0x00, 0x3E, 0x00, 0x00, 0xD8, 0x41, 0x00, 0x3C, 0x00, 0x2F, 0x00, 0x61, 0x00, 0x3E, 0x00]),
            ("iso2022.xml", Array(#"<?xml version="1.0" encoding="ISO-2022-JP"?><a>"#.utf8) + [0x1B, 0x24, 0x42, 0x30, 0x33, 0x38, 0x35, 0xFF, 0xFE]
                + Array("</a>".utf8)),
        ]
        for (name, bytes) in files { try Data(bytes).write(to: dir.appendingPathComponent(name)) }
        let result = try GatewayProcess.run(["validate"] + files.map { dir.appendingPathComponent($0.0).path })
        #expect(result.status == 1)
        #expect(result.lines.count == 2 && result.lines.allSatisfy { $0.contains("rejected T01") }, "\(result.stdout)")
        #expect(!result.stderr.contains("encoding error"), "\(result.stderr)")
        #expect(!result.stderr.contains("0x30 0x33"), "input bytes on stderr")
    }
}
