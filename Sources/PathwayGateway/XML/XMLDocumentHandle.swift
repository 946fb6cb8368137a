internal import CLibXML2

/// Owns one parsed libxml2 tree; freed when the last reference goes.
///
/// Not `Sendable`: a tree belongs to the one task processing its message.
public final class XMLDocumentHandle {
    let doc: xmlDocPtr

    init(_ doc: xmlDocPtr) { self.doc = doc }
    deinit { xmlFreeDoc(doc) }

    var root: XMLElementView {
        XMLElementView(owner: self, node: xmlDocGetRootElement(doc)!)
    }

    /// The encoding named in the XML declaration (nil when there was none: UTF-8).
    var declaredEncoding: String? {
        doc.pointee.encoding.map { String(cString: $0) }
    }

    /// A deep, independent copy, e.g. to repair or re-address a message without touching the original.
    func copy() -> XMLDocumentHandle {
        XMLDocumentHandle(xmlCopyDoc(doc, 1))
    }

    /// Serialises the tree in UTF-8 with an XML declaration.
    func serialized() -> [UInt8] {
        var buffer: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        xmlDocDumpMemoryEnc(doc, &buffer, &size, "UTF-8")
        guard let buffer else { return [] }
        defer { pg_xml_free(buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }
}
