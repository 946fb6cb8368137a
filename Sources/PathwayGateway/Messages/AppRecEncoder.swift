/// Writes an `AppRec` as a UTF-8 AppRec 1.0 or 1.1 document that validates against the official
/// KITH schema of its version.
///
/// Built as text rather than through libxml2 because an AppRec is small, fixed in shape and written
/// on every message: string building needs no tree, cannot fail, and makes element order explicit.
/// What the schemas allow, and therefore what is (not) written:
/// - `MsgType`, `Status`, `TypeId` and `OriginalMsgId/MsgType` are type `CS`, which has only `V`
///   and `DN` — no `S`; only `Error` (type `CV`) carries the code-system OID (list 8221).
/// - `Role` is optional in both versions and has no agreed code list for our parties, so it is left
///   out; `HCP/Inst` is used throughout (never `HCProf`), like the real receipts in the samples.
/// - Every child of `Inst`, `Dept` and `HCPerson` is optional, but KITH requires `TypeId` whenever
///   `Id` is given, so an id is always followed by a `TypeId` (`HER` when the party did not say).
/// - `MIGversion` is always the one of `appRec.version`, so namespace and version never disagree,
///   even when the struct was decoded from a receipt with a non-standard MIGversion text.
/// - A rejection (status 2) without errors breaks the standard ("Error is mandatory when
///   rejected"), so one `X99` error is added rather than sending a receipt nobody can act on.
///
/// Values are escaped for XML 1.0, and characters XML 1.0 cannot carry at all (most C0 controls,
/// U+FFFE, U+FFFF) become U+FFFD: an error text echoing hostile input must never make the receipt
/// itself unreadable.
public enum AppRecEncoder {
    static let messageType = (v: "APPREC", dn: "Applikasjonskvittering")
    /// The error added to a rejection that carries none.
    static let fallbackError = AppRec.ErrorEntry(code: "X99", description: "Avvist uten oppgitt årsak")

    public static func encode(_ appRec: AppRec) -> [UInt8] {
        var xml = XMLTextWriter()
        xml.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        xml.open("AppRec", [("xmlns", appRec.version.namespace)])
        xml.empty("MsgType", [("V", messageType.v), ("DN", messageType.dn)])
        xml.element("MIGversion", appRec.version.migVersion)
        xml.element("GenDate", appRec.genDate)
        xml.element("Id", appRec.id)
        party("Sender", appRec.sender, into: &xml)
        party("Receiver", appRec.receiver, into: &xml)
        xml.empty("Status", [("V", appRec.statusCode), ("DN", appRec.status?.displayName)])
        var errors = appRec.errors
        if appRec.status == .rejected && errors.isEmpty { errors = [fallbackError] }
        for error in errors {
            xml.empty(
                "Error",
                [
                    ("V", error.code), ("S", KITHCodeSystem.appRecError),
                    ("DN", error.description.isEmpty ? nil : error.description),
                ])
        }
        xml.open("OriginalMsgId")
        let original = appRec.originalMsgId
        xml.empty("MsgType", [("V", original.msgType.v), ("DN", original.msgType.dn)])
        xml.element("IssueDate", original.issueDate)
        xml.element("Id", original.id)
        xml.close("OriginalMsgId")
        xml.close("AppRec")
        return xml.bytes
    }

    /// `Sender`/`Receiver` → `HCP` → `Inst` (Name, Id, TypeId, Dept, HCPerson, in schema order).
    private static func party(_ role: String, _ party: AppRecParty, into xml: inout XMLTextWriter) {
        xml.open(role)
        xml.open("HCP")
        xml.open("Inst")
        level(party.institution, into: &xml)
        if let department = party.department {
            xml.open("Dept")
            level(department, into: &xml)
            xml.close("Dept")
        }
        if let person = party.person {
            xml.open("HCPerson")
            level(person, into: &xml)
            xml.close("HCPerson")
        }
        xml.close("Inst")
        xml.close("HCP")
        xml.close(role)
    }

    /// Name, Id, TypeId: the common prefix of `Inst`, `Dept` (whose optional `Type` we never write)
    /// and `HCPerson`. Empty names and ids are left out rather than written as empty elements.
    private static func level(_ level: AppRecParty.Level, into xml: inout XMLTextWriter) {
        if !level.name.isEmpty { xml.element("Name", level.name) }
        guard let id = level.id, !id.isEmpty else { return }
        xml.element("Id", id)
        let type = level.typeId.flatMap { $0.isEmpty ? nil : $0 } ?? "HER"
        xml.empty("TypeId", [("V", type), ("DN", displayName(ofIdType: type))])
    }

    /// Display names of the identifier types (lists 9051/8116) an AppRec party can carry.
    static func displayName(ofIdType type: String) -> String? {
        switch type.uppercased() {
        case "HER": "HER-id"
        case "ENH": "Organisasjonsnummeret i Enhetsregister"
        case "HPR": "HPR-nummer"
        default: nil
        }
    }
}
