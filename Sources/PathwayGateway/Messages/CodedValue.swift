/// A KITH coded value (types CS and CV): `V` the code, `S` the code system OID, `DN` the display
/// name, `OT` original text. Every attribute is optional in the schemas, so every field is too.
public struct CodedValue: Sendable, Hashable, Codable {
    var v: String?
    var s: String?
    var dn: String?
    var ot: String?

    public init(v: String? = nil, s: String? = nil, dn: String? = nil, ot: String? = nil) {
        self.v = v
        self.s = s
        self.dn = dn
        self.ot = ot
    }

    init(_ element: XMLElementView) {
        self.init(
            v: element.attribute("V"), s: element.attribute("S"), dn: element.attribute("DN"),
            ot: element.attribute("OT"))
    }

    init?(_ element: XMLElementView?) {
        guard let element else { return nil }
        self.init(element)
    }
}
