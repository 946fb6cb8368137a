import Foundation
import Testing
@testable import PathwayGateway

/// `pathway-gateway validate` through the real binary.
@Suite struct ValidateCommandTests {
    static let tmp: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pg-validate-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }()

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = Self.tmp.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    @Test func acceptedFileExitsZero() throws {
        let file = try write("ok.xml", MessageValidatorTests.message())
        let result = try GatewayProcess.run(["validate", file])
        #expect(result.status == 0)
        #expect(result.stdout == "\(file): accepted (DIALOG_HELSEFAGLIG, Dialogmelding 1.1, MsgId b1c2d3e4-0001)\n")
    }

    @Test func rejectedFileNamesLineAndCode() throws {
        let ok = try write("ok2.xml", MessageValidatorTests.message())
        let bad = try write("bad.xml", Array("<a>\n<b></a>".utf8))
        let result = try GatewayProcess.run(["validate", ok, bad])
        #expect(result.status == 1)
        #expect(result.lines.count == 2)
        #expect(result.lines[1].hasPrefix("\(bad):2: rejected T01: not well-formed XML"))
    }

    @Test func jsonVerdicts() throws {
        let file = try write("wrongfnr.xml", MessageValidatorTests.message { $0.patient?.fnr = "20036914712" })
        let result = try GatewayProcess.run(["validate", "--json", file])
        #expect(result.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["verdict"] as? String == "rejected")
        #expect(object?["code"] as? String == "E31")
        #expect(object?["file"] as? String == file)
    }

    @Test func usageAndIOErrorsExitTwo() throws {
        #expect(try GatewayProcess.run(["validate"]).status == 2)
        #expect(try GatewayProcess.run(["validate", "--bogus", "x.xml"]).status == 2)
        let missing = try GatewayProcess.run(["validate", Self.tmp.appendingPathComponent("nope.xml").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.xml"))
        #expect(try GatewayProcess.run(["validate", "--help"]).status == 0)
    }

    @Test func directoriesAndOversizeFilesGetClearAnswers() throws {
        let dir = Self.tmp.appendingPathComponent("dir.xml")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let result = try GatewayProcess.run(["validate", dir.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("not a regular file (directory)"))
    }

    /// Every shared sample, strict and lenient: the verdict and AppRec code the sender would get.
    @Test(.enabled(if: TestPaths.hasShared, TestPaths.sharedMissing), arguments: [SchemaPolicy.strict, .lenient])
    func sharedSamples(policy: SchemaPolicy) throws {
        let names = try TestPaths.sampleNames()
        let result = try GatewayProcess.run(["validate", "--json", "--policy", policy.rawValue]
                                            + names.map { TestPaths.samples.appendingPathComponent($0).path })
        #expect(result.status == 1)
        let verdicts = try result.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(verdicts.count == names.count)
        var codes: [String: String] = [:]
        for v in verdicts {
            let name = URL(fileURLWithPath: v["file"] as! String).lastPathComponent
            codes[name] = (v["code"] as? String) ?? "OK"
        }
        // Semantic rejections of schema-valid samples (documented in README):
        #expect(codes["fiksnhn__app-rec_1.0_unknown-status.xml"] == "X99")
        #expect(codes["fiksnhn__app-rec_1.1_unknown-status.xml"] == "X99")
        #expect(codes["padm2__dialogmelding_dialog_svar_foresporsel_om_pasient.xml"] == "E31")
        #expect(codes["fiksnhn__dialogmelding_invalid-version.xml"] == "T10")
        #expect(codes["fiksnhn__app-rec_missing-migversion.xml"] == "T02")
        #expect(codes["fiksnhn__dialogmelding_1.1_samsvar-test-message.xml"] == "OK")
        let padmNotat = codes["padm2__dialogmelding_dialog_notat.xml"]
        #expect(padmNotat == (policy == .strict ? "T02" : "OK"))
        #expect(codes["padm2__dialogmelding_dialog_notat_vedlegg.xml"] == padmNotat)
        if policy == .lenient {
            let notat = verdicts.first { ($0["file"] as! String).hasSuffix("padm2__dialogmelding_dialog_notat.xml") }
            #expect((notat?["warnings"] as? [String])?.count == 4)
        }
    }
}
