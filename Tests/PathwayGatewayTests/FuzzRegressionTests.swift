import Foundation
import Testing
@testable import PathwayGateway

/// The fuzzing oracle (PipelineOracle) on every input we keep: each crash libFuzzer found
/// (`Tests/FuzzRegressions/`, committed with the fix), the fuzzer's seeds, and the hostile corpus.
@Suite struct FuzzRegressionTests {
    static let context = PipelineOracle.Context(schemas: TestSchemas.ours)

    static func files(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasSuffix(".md") && !$0.hasSuffix(".tsv") && !$0.hasPrefix(".") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    static var regressions: [String] {
        files(in: TestPaths.packageRoot.appendingPathComponent("Tests/FuzzRegressions")).map(\.lastPathComponent)
    }

    /// The oracle's violations that are not already-reported known issues (those have their own tests).
    static func unknownViolations(_ bytes: [UInt8]) -> [String] {
        PipelineOracle.violations(of: bytes, in: context).filter { PipelineOracle.knownIssue($0) == nil }
    }

    /// Fixed findings: every property holds, known issues included (a file here is a fixed bug).
    @Test(arguments: regressions)
    func crasherFoundByTheFuzzerNowHoldsEveryProperty(name: String) throws {
        let bytes = Array(try Data(contentsOf: TestPaths.packageRoot.appendingPathComponent("Tests/FuzzRegressions/\(name)")))
        #expect(PipelineOracle.violations(of: bytes, in: Self.context) == [])
    }

    /// Fuzz finding salvaged-gendate-not-a-datetime: a broken file whose GenDate starts like a
    /// dateTime ("2019-01-16T22:51:35.5317672?" + NULs + "+01:00") passed the 19-character shape
    /// test and was echoed as IssueDate, making the T01 AppRec schema-invalid. Salvage now keeps
    /// only a real xs:dateTime (libxml2's own type check).
    @Test func salvageKeepsOnlyARealDateTime() {
        func salvaged(_ genDate: String) -> String? {
            let text = "<MsgHead><MsgInfo><GenDate>\(genDate)</GenDate><MsgId>m-1</MsgId><broken"
            return HeaderSalvage(scanning: Array(text.utf8))?.genDate
        }
        #expect(salvaged("2026-11-23T10:15:00") == "2026-11-23T10:15:00")
        #expect(salvaged("2019-01-16T22:51:35.5317672+01:00") == "2019-01-16T22:51:35.5317672+01:00")
        #expect(salvaged("2019-01-16T22:51:35.5317672?\u{0}\u{0}+01:00") == nil)
        #expect(salvaged("2019-01-16T22:51:35.53\u{0}\u{0}17672+01:00") == nil, "judged by the prefix before the NUL")
        #expect(!XSDateTime.isValid("2019-01-16T22:51:35.53\u{0}+01:00"))
        #expect(salvaged("2026-02-30T10:15:00") == nil)
        #expect(salvaged("i går") == nil)
    }

    @Test func everySampleAndHostileInputHoldsEveryProperty() throws {
        var inputs = SampleSet.all.map { ($0.fileName, $0.bytes) }
        for dir in ["Tests/HostileCorpus"].map(TestPaths.packageRoot.appendingPathComponent) {
            inputs += try Self.files(in: dir).map { ($0.lastPathComponent, Array(try Data(contentsOf: $0))) }
        }
        #expect(inputs.count > SampleSet.all.count, "the hostile corpus is missing")
        for (name, bytes) in inputs {
            #expect(Self.unknownViolations(bytes) == [], "\(name)")
        }
    }

    @Test(.enabled(if: TestPaths.hasShared, TestPaths.sharedMissing))
    func everyConformanceSampleHoldsEveryProperty() throws {
        for name in try TestPaths.sampleNames() {
            #expect(Self.unknownViolations(try TestPaths.sample(name)) == [], "\(name)")
        }
    }

    /// Found by the oracle on sample 07, then by the fuzzer in many shapes (fixed): the original's
    /// GenDate was echoed unchecked as OriginalMsgId/IssueDate, so the T02 AppRec for a message
    /// with a bad GenDate failed the AppRec schema itself (xs:dateTime).
    @Test func appRecAnsweringABadGenDateIsSchemaValid() throws {
        let sample = try #require(SampleSet.all.first { $0.fileName == "07-schema-invalid.xml" })
        #expect(PipelineOracle.violations(of: sample.bytes, in: Self.context) == [])
    }
}
