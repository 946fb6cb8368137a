import CLibXML2
import Foundation
import PathwayGateway

/// Issue 2's benchmark: our whole message-core step (hardened parse, supported-format checks, schema
/// validation, typed decode, semantic rules) against bare libxml2 doing only parse + validate with
/// the same compiled schema, over the same documents, interleaved round by round so both see the
/// same machine state.
enum XMLThroughput {
    static func corpus() -> [(String, [UInt8])] {
        let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "shared/conformance/samples")
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: shared.path))?.filter { $0.hasSuffix(".xml") }
            .sorted() ?? []
        if !names.isEmpty {
            return names.compactMap { name in
                (try? Data(contentsOf: shared.appendingPathComponent(name))).map { (name, Array($0)) }
            }
        }
        print("note: ../shared not found; using generated messages")
        let hospital = SampleMessageFactory.Party(name: "Helse Bergen HF", herId: "8150010")
        let kommune = SampleMessageFactory.Party(name: "Bergen kommune", herId: "8150100")
        return (0..<20).map { i in
            var m = SampleMessageFactory.Message(
                msgId: "bench-\(i)", sender: hospital, receiver: kommune,
                patient: .init(fnr: "03851598730", kommune: "4601"), pathwayEvent: "PFH-SP1")
            m.attachmentBytes = i % 4 == 0 ? 20_000 : 0
            return ("generated-\(i)", Array(SampleMessageFactory.xml(m).utf8))
        }
    }

    static func run(secondsPerRound: Double, rounds: Int) {
        let schemas: SchemaSet
        do { schemas = try SchemaLocator.load() } catch {
            print("error: \(error)")
            exit(2)
        }
        let validator = MessageValidator(schemas: schemas)
        let docs = corpus()
        let bytes = docs.reduce(0) { $0 + $1.1.count }
        print("corpus: \(docs.count) documents, \(bytes) bytes; \(rounds) rounds of \(secondsPerRound) s each")
        guard
            let raw = xmlSchemaNewParserCtxt(schemas.path).flatMap({ ctxt -> xmlSchemaPtr? in
                defer { xmlSchemaFreeParserCtxt(ctxt) }
                return xmlSchemaParse(ctxt)
            })
        else {
            print("error: bare schema compile failed")
            exit(2)
        }

        var bareRates: [Double] = []
        var oursRates: [Double] = []
        var lenientRates: [Double] = []
        var wrapperRates: [Double] = []
        var accepted = 0
        var acceptedLenient = 0
        for _ in 0..<rounds {
            bareRates.append(
                measure(secondsPerRound) { for (_, d) in docs { Self.bare(d, schema: raw) } } * Double(docs.count))
            oursRates.append(
                measure(secondsPerRound) {
                    accepted = 0
                    for (name, d) in docs {
                        if case .success = validator.validate(d, fileName: name, policy: .strict) { accepted += 1 }
                    }
                } * Double(docs.count))
            wrapperRates.append(
                measure(secondsPerRound) {
                    for (name, d) in docs {
                        if let doc = try? SafeXMLParser.parse(d, url: name) { _ = schemas.validate(doc) }
                    }
                } * Double(docs.count))
            lenientRates.append(
                measure(secondsPerRound) {
                    acceptedLenient = 0
                    for (name, d) in docs {
                        if case .success = validator.validate(d, fileName: name, policy: .lenient) {
                            acceptedLenient += 1
                        }
                    }
                } * Double(docs.count))
        }
        let bareRate = median(bareRates)
        let ours = median(oursRates)
        let lenient = median(lenientRates)
        print(String(format: "hardened parse + validate only:     %8.0f docs/s", median(wrapperRates)))
        print(
            String(
                format: "bare libxml2 parse+validate:        %8.0f docs/s  (%.1f MB/s)", bareRate,
                bareRate * Double(bytes) / Double(docs.count) / 1e6))
        print(
            String(
                format: "gateway parse+validate+decode:      %8.0f docs/s  (%.1f MB/s)", ours,
                ours * Double(bytes) / Double(docs.count) / 1e6))
        print(
            String(
                format:
                    "gateway, lenient policy:            %8.0f docs/s  (repairs and re-validates deviating headers)",
                lenient))
        print(
            String(
                format:
                    "ratio (strict): %.1f%% of the bare loop (target >= 80%%); accepted %d/%d strict, %d/%d lenient",
                100 * ours / bareRate, accepted, docs.count, acceptedLenient, docs.count))
    }

    /// Passes per second of `body` over a wall-clock window.
    static func measure(_ seconds: Double, _ body: () -> Void) -> Double {
        body()  // warm-up
        let start = DispatchTime.now().uptimeNanoseconds
        var passes = 0
        var elapsed = 0.0
        repeat {
            body()
            passes += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        return Double(passes) / elapsed
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// The physical limit: read from memory with the same safe options, validate, free.
    @inline(never)
    static func bare(_ data: [UInt8], schema: xmlSchemaPtr) {
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let doc = data.withUnsafeBufferPointer {
            $0.withMemoryRebound(to: CChar.self) { xmlReadMemory($0.baseAddress, Int32($0.count), nil, nil, options) }
        }
        guard let doc else { return }
        if let vctxt = xmlSchemaNewValidCtxt(schema) {
            xmlSchemaSetValidStructuredErrors(vctxt, { _, _ in }, nil)
            _ = xmlSchemaValidateDoc(vctxt, doc)
            xmlSchemaFreeValidCtxt(vctxt)
        }
        xmlFreeDoc(doc)
    }
}
