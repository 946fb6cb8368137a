internal import CLibXML2

/// A compiled XSD set, shared read-only by every worker.
///
/// Compiled once at start-up from a driver file (relative imports resolve against its path). A compile
/// *warning* is treated as failure: libxml2 only warns when an import cannot be found, and a missing
/// payload schema would silently weaken validation of MsgHead's strict `Content` wildcard.
public final class SchemaSet: @unchecked Sendable {
    // @unchecked: immutable after init; libxml2 only reads a compiled schema while validating, and
    // every validation gets its own context.
    private let schema: xmlSchemaPtr
    public let path: String

    init(driverAt path: String) throws(XMLError) {
        LibXML2.ensureInitialized()
        let collector = DiagnosticCollector()
        let compiled: xmlSchemaPtr? = withExtendedLifetime(collector) {
            guard let pctxt = xmlSchemaNewParserCtxt(path) else { return nil }
            defer { xmlSchemaFreeParserCtxt(pctxt) }
            xmlSchemaSetParserStructuredErrors(
                pctxt, collectStructuredError, Unmanaged.passUnretained(collector).toOpaque())
            return xmlSchemaParse(pctxt)
        }
        guard let compiled else { throw .invalidSchema(path: path, collector.diagnostics) }
        guard collector.diagnostics.isEmpty else {
            xmlSchemaFree(compiled)
            throw .invalidSchema(path: path, collector.diagnostics)
        }
        schema = compiled
        self.path = path
    }

    deinit { xmlSchemaFree(schema) }

    /// Validates a parsed tree; returns the validity errors in document order (empty when valid).
    public func validate(_ document: XMLDocumentHandle) -> [XMLDiagnostic] {
        let collector = DiagnosticCollector()
        return withExtendedLifetime(collector) {
            guard let vctxt = xmlSchemaNewValidCtxt(schema) else {
                return [XMLDiagnostic(severity: .fatal, line: 0, message: "could not create a validation context")]
            }
            defer { xmlSchemaFreeValidCtxt(vctxt) }
            xmlSchemaSetValidStructuredErrors(
                vctxt, collectStructuredError, Unmanaged.passUnretained(collector).toOpaque())
            let status = xmlSchemaValidateDoc(vctxt, document.doc)
            if status == 0 { return collector.diagnostics.filter { $0.severity != .warning } }
            if collector.diagnostics.isEmpty {
                return [
                    XMLDiagnostic(severity: .fatal, line: 0, message: "schema validation failed (status \(status))")
                ]
            }
            return collector.diagnostics
        }
    }
}
