/// An identifier with its type, e.g. a HER-id (`TypeId V="HER"`) or a fødselsnummer (`V="FNR"`).
struct Ident: Sendable, Hashable, Codable {
    var id: String
    var typeId: CodedValue

    init(id: String, typeId: CodedValue) {
        self.id = id
        self.typeId = typeId
    }

    /// The type code, upper-cased (`HER`, `FNR`, `DNR`, ...).
    var type: String { (typeId.v ?? "").uppercased() }

    init(_ element: XMLElementView) {
        // MsgHead Idents use its own namespace; Dialogmelding's use felleskomponent1, so match by name.
        let id = element.child(anyNamespace: "Id")?.text ?? ""
        let typeId = element.child(anyNamespace: "TypeId").map(CodedValue.init) ?? CodedValue()
        self.init(id: id, typeId: typeId)
    }
}
