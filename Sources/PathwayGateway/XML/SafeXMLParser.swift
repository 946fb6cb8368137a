internal import CLibXML2

/// The only way bytes become an XML tree in the gateway.
///
/// Hardened for input from outside: libxml2 never touches the network (`NONET` and the no-net entity
/// loader), never substitutes entities (no `NOENT`), never loads a DTD, and any `<!DOCTYPE` stops the
/// parser before its internal subset is read, which rules out XXE and entity-expansion bombs. Size and
/// nesting depth are bounded by `XMLLimits`. The declared encoding is honoured because libxml2 gets the
/// raw bytes. Attributes per element are bounded before libxml2 runs (`StartTagScanner`: its
/// duplicate check is quadratic). Namespace errors (an undeclared prefix), which libxml2 reports but
/// tolerates, count as not well-formed.
public enum SafeXMLParser {
    static let options = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_HUGE.rawValue | XML_PARSE_NOCDATA.rawValue)
    // HUGE lifts libxml2's 10 MB text-node cap so that a large Base64 attachment fits under our own
    // size limit; it is safe only because entities are impossible and size/depth are ours to bound.

    public static func parse(_ bytes: [UInt8], url: String? = nil, limits: XMLLimits = .default)
        throws(XMLError) -> XMLDocumentHandle
    {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(XMLError) in try parse(buffer, url: url, limits: limits) }
        }
        return try result.get()
    }

    static func parse(_ buffer: UnsafeRawBufferPointer, url: String? = nil, limits: XMLLimits = .default)
        throws(XMLError) -> XMLDocumentHandle
    {
        LibXML2.ensureInitialized()
        LibXML2.silenceContextFreeErrors()
        let limit = min(limits.maxBytes, Int(Int32.max))
        guard buffer.count <= limit else { throw .tooLarge(byteCount: buffer.count, limit: limits.maxBytes) }
        guard buffer.count > 0 else {
            throw .malformed([XMLDiagnostic(severity: .fatal, line: 1, message: "empty file")])
        }
        if let line = StartTagScanner.firstOverfullTag(in: buffer, limit: limits.maxAttributes) {
            throw .tooManyAttributes(limit: limits.maxAttributes, line: line)
        }
        let collector = DiagnosticCollector()
        collector.maxDepth = Int32(clamping: limits.maxDepth)
        let doc: xmlDocPtr? = withExtendedLifetime(collector) {
            guard let ctxt = xmlNewParserCtxt() else { return nil }
            defer { xmlFreeParserCtxt(ctxt) }
            ctxt.pointee._private = Unmanaged.passUnretained(collector).toOpaque()
            installHooks(ctxt)
            return xmlCtxtReadMemory(
                ctxt, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(buffer.count), url, nil, options)
        }
        if collector.sawDoctype {
            doc.map { xmlFreeDoc($0) }
            throw .doctypeForbidden
        }
        if collector.depthExceeded {
            doc.map { xmlFreeDoc($0) }
            throw .tooDeep(limit: limits.maxDepth)
        }
        guard let doc else { throw .malformed(collector.diagnostics) }
        if collector.hasErrors || xmlDocGetRootElement(doc) == nil {
            xmlFreeDoc(doc)
            throw .malformed(collector.diagnostics)
        }
        return XMLDocumentHandle(doc)
    }

    /// SAX hooks on the context's private copy of the handler; `userData` stays the context (the
    /// tree builder relies on it), so the collector travels in `ctxt->_private`.
    private static func installHooks(_ ctxt: xmlParserCtxtPtr) {
        ctxt.pointee.sax.pointee.serror = { userData, error in
            guard let userData, let error, let collector = collector(userData) else { return }
            collector.diagnostics.append(XMLDiagnostic(error.pointee))
        }
        ctxt.pointee.sax.pointee.internalSubset = { userData, _, _, _ in
            guard let userData else { return }
            collector(userData)?.sawDoctype = true
            xmlStopParser(userData.assumingMemoryBound(to: xmlParserCtxt.self))
        }
        ctxt.pointee.sax.pointee.startElementNs = { userData, local, prefix, uri, nbNs, nss, nbAttrs, nbDef, attrs in
            guard let userData else { return }
            let ctxt = userData.assumingMemoryBound(to: xmlParserCtxt.self)
            if let collector = collector(userData), ctxt.pointee.nameNr >= collector.maxDepth {
                collector.depthExceeded = true
                xmlStopParser(ctxt)
                return
            }
            xmlSAX2StartElementNs(userData, local, prefix, uri, nbNs, nss, nbAttrs, nbDef, attrs)
        }
    }
}

/// The collector a parser context carries in `_private` (a free function: C callbacks capture nothing).
private func collector(_ userData: UnsafeMutableRawPointer) -> DiagnosticCollector? {
    let ctxt = userData.assumingMemoryBound(to: xmlParserCtxt.self)
    guard let raw = ctxt.pointee._private else { return nil }
    return Unmanaged<DiagnosticCollector>.fromOpaque(raw).takeUnretainedValue()
}
