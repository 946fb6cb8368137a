/// Builds realistic, schema-valid Dialogmelding messages from a few parameters — for the `demo`
/// tour, the benchmark's traffic generator and the tests. All people in them are synthetic.
public enum SampleMessageFactory {
    public struct Party: Sendable, Hashable {
        public var name: String
        public var herId: String
        /// An optional unit inside the organisation (its HER-id becomes the innermost one).
        var unitName: String?
        var unitHerId: String?

        public init(name: String, herId: String, unitName: String? = nil, unitHerId: String? = nil) {
            self.name = name
            self.herId = herId
            self.unitName = unitName
            self.unitHerId = unitHerId
        }
    }

    public struct PatientData: Sendable, Hashable {
        public var fnr: String?
        var familyName: String?
        var givenName: String?
        var kommune: String?

        public init(fnr: String?, familyName: String? = "Testesen", givenName: String? = "Synt", kommune: String? = nil)
        {
            self.fnr = fnr
            self.familyName = familyName
            self.givenName = givenName
            self.kommune = kommune
        }
    }

    public struct Message: Sendable, Hashable {
        var msgId: String
        public var genDate: String = "2026-11-23T10:15:00"
        var sender: Party
        var receiver: Party
        public var patient: PatientData?
        /// A pathway event code in the gateway's code system (e.g. `PFH-SP1`), sent as SakstypeKodet.
        public var pathwayEvent: String?
        public var dialogVersion: Dialogmelding.Version = .v1_1
        var text: String = "Behovskartlegging gjennomført. Se vedlegg."
        /// Size of a synthetic PDF attachment in bytes (0: none).
        public var attachmentBytes: Int = 0
        /// A date for `DatoNotat` (the day the note is about: the event date of a pathway event), yyyy-MM-dd.
        public var noteDate: String?
        /// A reply's `ConversationRef`: the MsgId it answers and the conversation's first MsgId.
        var conversationRef: (parent: String, conversation: String)? {
            get { conversation.map { ($0.parent, $0.first) } }
            set { conversation = newValue.map { Conversation(parent: $0.parent, first: $0.conversation) } }
        }
        private var conversation: Conversation?
        private struct Conversation: Sendable, Hashable { var parent: String, first: String }

        public init(msgId: String, sender: Party, receiver: Party, patient: PatientData?, pathwayEvent: String? = nil) {
            self.msgId = msgId
            self.sender = sender
            self.receiver = receiver
            self.patient = patient
            self.pathwayEvent = pathwayEvent
        }
    }

    public static func xml(_ m: Message) -> String {
        let type =
            m.dialogVersion == .v1_1
            ? #"<Type V="DIALOG_HELSEFAGLIG" DN="Helsefaglig dialog"/>"#
            : #"<Type V="DIALOG_NOTAT" DN="Notat"/>"#
        let ns = m.dialogVersion == .v1_1 ? KITHNamespace.dialog11 : KITHNamespace.dialog10
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <MsgHead xmlns="\(KITHNamespace.msgHead)">
              <MsgInfo>
                \(type)
                <MIGversion>\(MsgHead.migVersion)</MIGversion>
                <GenDate>\(xmlEscape(m.genDate))</GenDate>
                <MsgId>\(xmlEscape(m.msgId))</MsgId>
                <Ack V="J" DN="Ja"/>\(conversationRef(m))
                <Sender>\(organisation(m.sender))</Sender>
                <Receiver>\(organisation(m.receiver))</Receiver>

            """
        if let p = m.patient { out += patient(p) }
        out += """
              </MsgInfo>
              <Document>
                <RefDoc>
                  <MsgType V="XML" DN="XML-instans"/>
                  <Content>
                    <Dialogmelding xmlns="\(ns)">

            """
        if let event = m.pathwayEvent {
            out +=
                "          <SakstypeKodet V=\"\(xmlEscape(event))\" S=\"\(KITHCodeSystem.pathwayEvents)\" DN=\"\(xmlEscape(event))\"/>\n"
        }
        out += """
                      <Notat>
                        <TemaKodet V="6" S="2.16.578.1.12.4.1.1.7322" DN="Henvendelse om pasient"/>
                        <Tema>Pakkeforløp hjem</Tema>
                        <TekstNotatInnhold>\(xmlEscape(m.text))</TekstNotatInnhold>

            """
        if let date = m.noteDate { out += "            <DatoNotat>\(xmlEscape(date))</DatoNotat>\n" }
        out += """
                      </Notat>
                    </Dialogmelding>
                  </Content>
                </RefDoc>
              </Document>

            """
        if m.attachmentBytes > 0 { out += attachment(bytes: m.attachmentBytes, seed: m.msgId) }
        out += "</MsgHead>\n"
        return out
    }

    private static func conversationRef(_ m: Message) -> String {
        guard let ref = m.conversationRef else { return "" }
        return "\n    <ConversationRef><RefToParent>\(xmlEscape(ref.parent))</RefToParent>"
            + "<RefToConversation>\(xmlEscape(ref.conversation))</RefToConversation></ConversationRef>"
    }

    private static func organisation(_ party: Party) -> String {
        var inner = ""
        if let unitName = party.unitName, let unitHerId = party.unitHerId {
            inner =
                "<Organisation><OrganisationName>\(xmlEscape(unitName))</OrganisationName>\(herIdent(unitHerId))</Organisation>"
        }
        return
            "<Organisation><OrganisationName>\(xmlEscape(party.name))</OrganisationName>\(herIdent(party.herId))\(inner)</Organisation>"
    }

    private static func herIdent(_ id: String) -> String {
        "<Ident><Id>\(xmlEscape(id))</Id><TypeId V=\"HER\" S=\"\(KITHCodeSystem.organisationIdType)\" DN=\"HER-id\"/></Ident>"
    }

    private static func patient(_ p: PatientData) -> String {
        var out = "    <Patient>\n"
        if let f = p.familyName { out += "      <FamilyName>\(xmlEscape(f))</FamilyName>\n" }
        if let g = p.givenName { out += "      <GivenName>\(xmlEscape(g))</GivenName>\n" }
        if let fnr = p.fnr {
            out +=
                "      <Ident><Id>\(xmlEscape(fnr))</Id><TypeId V=\"FNR\" S=\"\(KITHCodeSystem.personIdType)\" DN=\"Fødselsnummer\"/></Ident>\n"
        }
        if let k = p.kommune {
            out +=
                "      <Address><Type V=\"H\" DN=\"Bostedsadresse\"/><County V=\"\(xmlEscape(k))\" DN=\"Kommune\"/></Address>\n"
        }
        return out + "    </Patient>\n"
    }

    /// A small but real PDF header followed by deterministic filler, Base64-encoded.
    private static func attachment(bytes: Int, seed: String) -> String {
        var data = Array("%PDF-1.4\n%synthetic attachment\n".utf8)
        // FNV-1a: stable across runs.
        var state = seed.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 } | 1
        while data.count < bytes {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            data.append(UInt8(truncatingIfNeeded: state >> 33))
        }
        return """
              <Document>
                <RefDoc>
                  <MsgType V="A" DN="Vedlegg"/>
                  <MimeType>application/pdf</MimeType>
                  <Description>behovskartlegging.pdf</Description>
                  <Content><Base64Container xmlns="\(KITHNamespace.base64Container)">\(Base64.encode(data))</Base64Container></Content>
                </RefDoc>
              </Document>

            """
    }
}

/// Sample text goes into elements and double-quoted attributes alike.
private func xmlEscape(_ text: String) -> String { text.xmlEscapedAttribute }
