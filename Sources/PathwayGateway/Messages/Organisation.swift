/// A MsgHead organisation: possibly nested (hospital → department → service), optionally ending in a
/// health-care professional. Routing uses the innermost HER-id.
public struct Organisation: Sendable, Hashable, Codable {
    var name: String
    var idents: [Ident]
    var address: Address?
    /// The nested organisation (department, service), if any; stored in an array because a struct
    /// cannot hold an optional of itself.
    private var nested: [Organisation]
    var unit: Organisation? {
        get { nested.first }
        set { nested = newValue.map { [$0] } ?? [] }
    }
    var professional: HealthcareProfessional?

    init(
        name: String, idents: [Ident], address: Address? = nil, unit: Organisation? = nil,
        professional: HealthcareProfessional? = nil
    ) {
        self.name = name
        self.idents = idents
        self.address = address
        self.nested = unit.map { [$0] } ?? []
        self.professional = professional
    }

    /// HER-ids of this level only.
    var herIds: [String] { idents.filter { $0.type == "HER" }.map(\.id) }

    /// Every HER-id on the path from the outer organisation to the innermost party.
    var allHerIds: [String] {
        herIds + (unit?.allHerIds ?? []) + (professional?.herIds ?? [])
    }

    /// The HER-id of the innermost party that has one: the address a message is really for.
    var innermostHerId: String? {
        unit?.innermostHerId ?? professional?.herIds.first ?? herIds.first
    }

    /// The organisations with a HER-id, outside in, as a Receiver names them: where a reply to a
    /// message from this Sender goes (a health-care professional is not an organisation level).
    var partyChain: [OutboundMessageBuilder.Party] {
        let level = herIds.first.map { [OutboundMessageBuilder.Party(name: name, herId: $0)] } ?? []
        return level + (unit?.partyChain ?? [])
    }

    /// Names from the outside in, e.g. "Helse Bergen HF / Kreftavdelingen".
    var displayName: String {
        [name, unit?.displayName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " / ")
    }

    init(_ element: XMLElementView) {
        self.init(
            name: element.childText("OrganisationName") ?? "",
            idents: element.children("Ident").map(Ident.init),
            address: element.child("Address").map(Address.init),
            unit: element.child("Organisation").map(Organisation.init),
            professional: element.child("HealthcareProfessional").map(HealthcareProfessional.init))
    }
}

/// A person acting as health-care professional inside an organisation.
struct HealthcareProfessional: Sendable, Hashable, Codable {
    var familyName: String?
    var givenName: String?
    var idents: [Ident]

    var herIds: [String] { idents.filter { $0.type == "HER" }.map(\.id) }

    init(_ element: XMLElementView) {
        familyName = element.childText("FamilyName")
        givenName = element.childText("GivenName")
        idents = element.children("Ident").map(Ident.init)
    }
}

/// A postal address; `County` carries the kommunenummer (code list 3402).
struct Address: Sendable, Hashable, Codable {
    var streetAddress: String?
    var postalCode: String?
    var city: String?
    var county: CodedValue?

    init(_ element: XMLElementView) {
        streetAddress = element.childText("StreetAdr")
        postalCode = element.childText("PostalCode")
        city = element.childText("City")
        county = CodedValue(element.child("County"))
    }
}
