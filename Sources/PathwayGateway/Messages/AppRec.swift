/// An application receipt (AppRec 1.0 or 1.1): the answer to every business message.
public struct AppRec: Sendable, Hashable, Codable {
    public enum Version: String, Sendable, Hashable, Codable {
        // The standard's version numbers, spelt as such.
        // swift-format-ignore: AlwaysUseLowerCamelCase
        case v1_0 = "1.0"
        // swift-format-ignore: AlwaysUseLowerCamelCase
        case v1_1 = "1.1"

        var namespace: String { self == .v1_0 ? KITHNamespace.appRec10 : KITHNamespace.appRec11 }
        var migVersion: String { self == .v1_0 ? "1.0 2004-11-21" : "v1.1 2012-02-15" }

        /// True when a MIGversion text names this version ("1.0 …"/"v1.0 …", "1.1 …"/"v1.1 …").
        func acceptsMIGversion(_ text: String) -> Bool {
            let number = text.hasPrefix("v") ? text.dropFirst() : Substring(text)
            return number == rawValue || number.hasPrefix(rawValue + " ")
        }

        init?(namespace: String?) {
            switch namespace {
            case KITHNamespace.appRec10: self = .v1_0
            case KITHNamespace.appRec11: self = .v1_1
            default: return nil
            }
        }
    }

    /// Code list 8258.
    public enum Status: String, Sendable, Hashable, Codable {
        case ok = "1"
        case rejected = "2"
        case okWithErrors = "3"

        var displayName: String {
            switch self {
            case .ok: "OK"
            case .rejected: "Avvist"
            case .okWithErrors: "OK, feil i delmelding"
            }
        }
    }

    /// One AppRec error (code list 8221); `description` travels in DN (X99 carries free text there).
    public struct ErrorEntry: Sendable, Hashable, Codable {
        var code: String
        var description: String

        public init(code: String, description: String) {
            self.code = code
            self.description = description
        }
    }

    /// Identifies the message being answered: its Type, GenDate (as IssueDate) and MsgId.
    public struct OriginalMsgId: Sendable, Hashable, Codable {
        var msgType: CodedValue
        var issueDate: String
        var id: String

        public init(msgType: CodedValue, issueDate: String, id: String) {
            self.msgType = msgType
            self.issueDate = issueDate
            self.id = id
        }
    }

    var version: Version
    var migVersion: String
    var genDate: String
    public var id: String
    var sender: AppRecParty
    var receiver: AppRecParty
    /// Raw status code as sent; `status` is nil for a value outside 8258.
    var statusCode: String
    var errors: [ErrorEntry]
    var originalMsgId: OriginalMsgId

    var status: Status? { Status(rawValue: statusCode) }

    public init(
        version: Version, genDate: String, id: String, sender: AppRecParty, receiver: AppRecParty,
        status: Status, errors: [ErrorEntry], originalMsgId: OriginalMsgId
    ) {
        self.version = version
        migVersion = version.migVersion
        self.genDate = genDate
        self.id = id
        self.sender = sender
        self.receiver = receiver
        statusCode = status.rawValue
        self.errors = errors
        self.originalMsgId = originalMsgId
    }

    init?(_ root: XMLElementView) {
        guard root.name == "AppRec", let version = Version(namespace: root.namespaceURI) else { return nil }
        self.version = version
        migVersion = root.childText("MIGversion") ?? ""
        genDate = root.childText("GenDate") ?? ""
        id = root.childText("Id") ?? ""
        sender = AppRecParty(root.child("Sender"))
        receiver = AppRecParty(root.child("Receiver"))
        statusCode = root.child("Status")?.attribute("V") ?? ""
        errors = root.children("Error").map {
            ErrorEntry(code: $0.attribute("V") ?? "", description: $0.attribute("DN") ?? "")
        }
        let original = root.child("OriginalMsgId")
        originalMsgId = OriginalMsgId(
            msgType: CodedValue(original?.child("MsgType")) ?? CodedValue(),
            issueDate: original?.childText("IssueDate") ?? "", id: original?.childText("Id") ?? "")
    }
}

/// An AppRec party (`Sender`/`Receiver` → `HCP/Inst`), flattened to what routing needs: the
/// institution, an optional department, an optional person, each with name and HER-id.
public struct AppRecParty: Sendable, Hashable, Codable {
    public struct Level: Sendable, Hashable, Codable {
        var name: String
        var id: String?
        var typeId: String?

        public init(name: String, herId: String?) {
            self.name = name
            id = herId
            typeId = herId == nil ? nil : "HER"
        }
    }

    var institution: Level
    var department: Level?
    var person: Level?

    public init(institution: Level, department: Level? = nil, person: Level? = nil) {
        self.institution = institution
        self.department = department
        self.person = person
    }

    /// Every HER-id the party carries, outside in.
    var herIds: [String] {
        [institution, department, person].compactMap { $0 }.filter { $0.typeId?.uppercased() == "HER" }.compactMap(\.id)
    }

    var innermostHerId: String? { herIds.last }

    init(_ element: XMLElementView?) {
        func level(_ e: XMLElementView?) -> Level? {
            guard let e else { return nil }
            var level = Level(name: e.childText("Name") ?? "", herId: nil)
            level.id = e.childText("Id")
            level.typeId = e.child("TypeId")?.attribute("V")
            return level
        }
        let hcp = element?.child("HCP")
        let inst = hcp?.child("Inst")
        institution = level(inst) ?? level(hcp?.child("HCProf")) ?? Level(name: "", herId: nil)
        department = level(inst?.child("Dept"))
        person = level(inst?.child("HCPerson"))
    }
}

extension AppRecParty {
    /// The AppRec view of a MsgHead organisation: outer organisation as institution, the innermost
    /// nested unit as department, a health-care professional as person.
    init(_ organisation: Organisation) {
        var innermost = organisation.unit
        while let next = innermost?.unit { innermost = next }
        let person = organisation.professional ?? innermost?.professional
        self.init(
            institution: Level(name: organisation.name, herId: organisation.herIds.first),
            department: innermost.map { Level(name: $0.name, herId: $0.herIds.first) },
            person: person.map {
                Level(
                    name: [$0.givenName, $0.familyName].compactMap { $0 }.joined(separator: " "),
                    herId: $0.herIds.first)
            })
    }
}
