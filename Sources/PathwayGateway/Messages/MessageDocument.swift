/// One `Document/RefDoc` of a MsgHead: the structured payload (`MsgType V="XML"`) or an attachment
/// (`MsgType V="A"`, inline Base64Container or a FileReference).
struct MessageDocument: Sendable, Hashable, Codable {
    enum Kind: String, Sendable, Hashable, Codable { case payload, attachment, other }

    var kind: Kind
    var msgType: CodedValue
    var mimeType: String?
    var description: String?
    var fileReference: String?
    /// Namespace of the element inside `Content` (Dialogmelding, Base64Container, ...).
    var contentNamespace: String?

    init(_ element: XMLElementView) {
        let refDoc = element.child("RefDoc")
        msgType = CodedValue(refDoc?.child("MsgType")) ?? CodedValue()
        kind =
            switch msgType.v {
            case "XML": .payload
            case "A": .attachment
            default: .other
            }
        mimeType = refDoc?.childText("MimeType")
        description = refDoc?.childText("Description")
        fileReference = refDoc?.childText("FileReference")
        contentNamespace = refDoc?.child("Content")?.elements.first?.namespaceURI
    }
}
