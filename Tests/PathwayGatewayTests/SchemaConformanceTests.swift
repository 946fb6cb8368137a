import Foundation
import Testing
@testable import PathwayGateway

/// Our own Schemas/ against the official KITH set: the verdicts must agree on every shared sample
/// and on a generated mutation set. The official set is only read from ../shared, never copied.
@Suite(.enabled(if: TestPaths.hasShared, TestPaths.sharedMissing))
struct SchemaConformanceTests {
    private static func verdict(_ schemas: SchemaSet, _ doc: XMLDocumentHandle) -> Bool { schemas.validate(doc).isEmpty }

    @Test func officialVerdictsOfEverySample() throws {
        let index = try String(contentsOf: TestPaths.samples.appendingPathComponent("index.tsv"), encoding: .utf8)
        let expected = Dictionary(uniqueKeysWithValues: index.split(separator: "\n").dropFirst().map {
            let cols = $0.split(separator: "\t", omittingEmptySubsequences: false)
            return (String(cols[0]), String(cols[1]))
        })
        let official = try #require(TestSchemas.official)
        #expect(expected.count >= 30)
        for name in try TestPaths.sampleNames() {
            let doc = try SafeXMLParser.parse(try TestPaths.sample(name))
            let ours = Self.verdict(TestSchemas.ours, doc)
            #expect(ours == Self.verdict(official, doc), "\(name)")
            #expect((ours ? "valid" : "invalid") == expected[name], "\(name) against index.tsv")
        }
    }

    @Test func mutationSetAgrees() throws {
        let official = try #require(TestSchemas.official)
        var compared = 0
        var disagreements: [String] = []
        var invalidCount = 0
        let sources = try TestPaths.sampleNames().map { ($0, try TestPaths.sample($0)) }
            + [("factory-1.1", MessageValidatorTests.message()), ("factory-1.0", MessageValidatorTests.message { $0.dialogVersion = .v1_0; $0.attachmentBytes = 300 })]
        for (name, bytes) in sources where bytes.count < 100_000 {
            let original = try SafeXMLParser.parse(bytes)
            let count = min(original.root.subtree.count, 80)
            for index in 0..<count {
                for mutation in Mutation.allCases {
                    let doc = original.copy()
                    let element = doc.root.subtree[index]
                    guard mutation.apply(to: element) else { continue }
                    let ours = Self.verdict(TestSchemas.ours, doc)
                    let theirs = Self.verdict(official, doc)
                    compared += 1
                    if !theirs { invalidCount += 1 }
                    if ours != theirs {
                        disagreements.append("\(name) element #\(index) <\(element.name)> \(mutation): ours \(ours), official \(theirs)")
                    }
                }
            }
        }
        print("schema conformance: \(compared) mutated documents, \(invalidCount) invalid by the official set, \(disagreements.count) disagreements")
        #expect(compared > 5_000, "mutation set too small: \(compared)")
        #expect(invalidCount > compared / 4, "mutations should mostly break documents: \(invalidCount)/\(compared)")
        let report = disagreements.prefix(20).joined(separator: "\n")
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(compared) disagree:\n\(report)")
    }
}

/// One way of damaging a document at one element.
enum Mutation: String, CaseIterable, CustomStringConvertible {
    case drop, duplicate, swapWithNext, badDate, unpaddedDate, badNumber, negativeNumber, emptyText, longText
    case unknownNamespace, dropV, dropS, emptyV, dropAllAttributes

    var description: String { rawValue }

    /// Applies the mutation; false when it does not apply to this element (e.g. the root).
    func apply(to element: XMLElementView) -> Bool {
        let isLeaf = element.elements.isEmpty
        switch self {
        case .drop:
            guard element.parent != nil else { return false }
            element.remove()
        case .duplicate:
            guard element.parent != nil else { return false }
            element.duplicate()
        case .swapWithNext:
            guard let next = element.nextSiblingElement else { return false }
            element.move(after: next)
        case .badDate, .unpaddedDate, .badNumber, .negativeNumber, .emptyText, .longText:
            guard isLeaf else { return false }
            element.setText([.badDate: "2024-13-45", .unpaddedDate: "1991-12-4", .badNumber: "abc",
                             .negativeNumber: "-1", .emptyText: "", .longText: String(repeating: "x", count: 5_000)][self]!)
        case .unknownNamespace:
            element.setNamespace("urn:example:unknown")
        case .dropV, .dropS, .emptyV:
            let name = self == .dropS ? "S" : "V"
            guard element.attribute(name) != nil else { return false }
            if self == .emptyV { element.setAttribute("V", "") } else { element.removeAttribute(name) }
        case .dropAllAttributes:
            guard element.attribute("V") != nil || element.attribute("DN") != nil else { return false }
            for name in ["V", "S", "DN", "OT"] { element.removeAttribute(name) }
        }
        return true
    }
}
