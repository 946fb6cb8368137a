import Foundation
import Testing
@testable import PathwayGateway

/// samples/messages/ is what newcomers and the README use: it must match `SampleSet` byte for byte
/// and earn exactly the outcomes the set promises.
@Suite struct SampleSetTests {
    @Test func committedSamplesMatchTheSet() throws {
        let dir = TestPaths.packageRoot.appendingPathComponent("samples/messages")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".xml") }.sorted()
        #expect(files == SampleSet.all.map(\.fileName).sorted(), "regenerate with: swift run gateway-bench samples")
        for sample in SampleSet.all {
            let onDisk = try Data(contentsOf: dir.appendingPathComponent(sample.fileName))
            #expect(Array(onDisk) == sample.bytes, "\(sample.fileName) differs; regenerate with: swift run gateway-bench samples")
        }
    }

    @Test func everySampleEarnsItsPromisedOutcome() {
        for sample in SampleSet.all {
            switch TestSchemas.validator.validate(sample.bytes, fileName: sample.fileName) {
            case .success: #expect(sample.expectedCode == nil, "\(sample.fileName) was accepted")
            case let .failure(r): #expect(r.code == sample.expectedCode, "\(sample.fileName): \(r.code) \(r.reason)")
            }
        }
    }
}
