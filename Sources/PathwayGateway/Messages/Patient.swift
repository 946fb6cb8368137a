/// The patient a message concerns (MsgHead `MsgInfo/Patient`).
///
/// Holds personal data: never log it; use a keyed pseudonym of `personalIdent` instead.
struct Patient: Sendable, Hashable, Codable {
    var familyName: String?
    var middleName: String?
    var givenName: String?
    var dateOfBirth: String?
    var idents: [Ident]
    var address: Address?

    init(
        familyName: String? = nil, middleName: String? = nil, givenName: String? = nil,
        dateOfBirth: String? = nil, idents: [Ident] = [], address: Address? = nil
    ) {
        self.familyName = familyName
        self.middleName = middleName
        self.givenName = givenName
        self.dateOfBirth = dateOfBirth
        self.idents = idents
        self.address = address
    }

    /// The national identity: fødselsnummer, D-nummer or H-nummer (code list 8116), in that order.
    var personalIdent: Ident? {
        for type in ["FNR", "DNR", "HNR"] {
            if let ident = idents.first(where: { $0.type == type && !$0.id.isEmpty }) { return ident }
        }
        return nil
    }

    /// The home kommunenummer from `Address/County@V`, as sent (before aliases).
    var kommune: String? { address?.county?.v }

    var hasName: Bool {
        !(familyName ?? "").isEmpty || !(givenName ?? "").isEmpty
    }

    init(_ element: XMLElementView) {
        self.init(
            familyName: element.childText("FamilyName"), middleName: element.childText("MiddleName"),
            givenName: element.childText("GivenName"), dateOfBirth: element.childText("DateOfBirth"),
            idents: element.children("Ident").map(Ident.init), address: element.child("Address").map(Address.init))
    }
}
