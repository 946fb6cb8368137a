/// The `DIALOG_HELSEFAGLIG` (Dialogmelding 1.1) a contact point receives when one of its patients'
/// pathway windows opens (spec §9): Sender = the gateway, Receiver = the contact point (its
/// partner organisation outermost, the point's HER-id innermost, as the Router addresses contact
/// points), the patient as the episode's start message named them, and a note in Norwegian.
///
/// Written with `XMLTextWriter` (every value escaped) in the element order of MsgHead 1.2 and
/// Dialogmelding 1.1; the pipeline validates it against `Schemas/` like any inbound message.
struct ReminderMessage: Sendable, Hashable {
    var msgId: String
    /// Oslo local time, as KITH messages carry it.
    var genDate: String
    var sender: OutboundMessageBuilder.Party
    /// Outermost first; the last one's HER-id is the innermost.
    var receiver: [OutboundMessageBuilder.Party]
    var patient: Patient
    var topic: String
    var text: String
    /// The day the note is about: the day the window opens.
    var noteDate: CalendarDate

    static let messageType = (v: "DIALOG_HELSEFAGLIG", dn: "Helsefaglig dialog")
    /// KITH list 7322 (Helsefaglig dialog tema) 6, as in the gateway's other dialogue messages.
    static let theme = (v: "6", s: "2.16.578.1.12.4.1.1.7322", dn: "Henvendelse om pasient")

    var bytes: [UInt8] {
        var xml = XMLTextWriter()
        xml.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        xml.open("MsgHead", [("xmlns", KITHNamespace.msgHead)])
        xml.open("MsgInfo")
        xml.empty("Type", [("V", Self.messageType.v), ("DN", Self.messageType.dn)])
        xml.element("MIGversion", MsgHead.migVersion)
        xml.element("GenDate", genDate)
        xml.element("MsgId", msgId)
        xml.empty("Ack", [("V", "J"), ("DN", "Ja")])
        xml.open("Sender")
        Self.organisations([sender], into: &xml)
        xml.close("Sender")
        xml.open("Receiver")
        Self.organisations(receiver[...], into: &xml)
        xml.close("Receiver")
        writePatient(into: &xml)
        xml.close("MsgInfo")
        writeDocument(into: &xml)
        xml.close("MsgHead")
        return xml.bytes
    }

    /// Nested organisations, the first outermost.
    private static func organisations(_ chain: ArraySlice<OutboundMessageBuilder.Party>, into xml: inout XMLTextWriter)
    {
        guard let first = chain.first else { return }
        xml.open("Organisation")
        xml.element("OrganisationName", first.name)
        xml.open("Ident")
        xml.element("Id", first.herId)
        xml.empty("TypeId", [("V", "HER"), ("S", KITHCodeSystem.organisationIdType), ("DN", "HER-id")])
        xml.close("Ident")
        organisations(chain.dropFirst(), into: &xml)
        xml.close("Organisation")
    }

    private func writePatient(into xml: inout XMLTextWriter) {
        xml.open("Patient")
        if let family = patient.familyName { xml.element("FamilyName", family) }
        if let given = patient.givenName { xml.element("GivenName", given) }
        if let ident = patient.personalIdent {
            xml.open("Ident")
            xml.element("Id", ident.id)
            xml.empty(
                "TypeId",
                [("V", ident.type), ("S", ident.typeId.s ?? KITHCodeSystem.personIdType), ("DN", ident.typeId.dn)])
            xml.close("Ident")
        }
        if let kommune = patient.kommune {
            xml.open("Address")
            xml.empty("Type", [("V", "H"), ("DN", "Bostedsadresse")])
            xml.empty("County", [("V", kommune), ("DN", patient.address?.county?.dn)])
            xml.close("Address")
        }
        xml.close("Patient")
    }

    private func writeDocument(into xml: inout XMLTextWriter) {
        xml.open("Document")
        xml.open("RefDoc")
        xml.empty("MsgType", [("V", "XML"), ("DN", "XML-instans")])
        xml.open("Content")
        xml.open("Dialogmelding", [("xmlns", KITHNamespace.dialog11)])
        xml.open("Notat")
        xml.empty("TemaKodet", [("V", Self.theme.v), ("S", Self.theme.s), ("DN", Self.theme.dn)])
        xml.element("Tema", topic)
        xml.element("TekstNotatInnhold", text)
        xml.element("DatoNotat", noteDate.description)
        xml.close("Notat")
        xml.close("Dialogmelding")
        xml.close("Content")
        xml.close("RefDoc")
        xml.close("Document")
    }
}
