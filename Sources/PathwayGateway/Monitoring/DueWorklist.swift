import Foundation

/// A municipal coordinator's worklist (spec §9, `pathways due --kommune K`): the patients whose
/// SP2 or SP3 window is open or has passed without the event, most urgent first, in Norwegian.
/// Patients are keyed pseudonyms; identities appear only when the coordinator asked for them
/// (and that was recorded, `IdentityAccessLog`). Rendered as text, CSV or one HTML page.
public struct DueWorklist: Sendable {
    /// One line: the item and, when asked for, who the patient is.
    public struct Line: Sendable {
        public var item: DueItem
        public var identity: PatientIdentityLookup.Identity?

        public init(item: DueItem, identity: PatientIdentityLookup.Identity?) {
            self.item = item
            self.identity = identity
        }
    }

    public var asOf: CalendarDate
    /// The kommune asked for (nil: every kommune) and the name the configuration gives it.
    public var kommune: String?
    public var lines: [Line]
    let config: GatewayConfig

    public init(asOf: CalendarDate, kommune: String?, lines: [Line], config: GatewayConfig) {
        self.asOf = asOf
        self.kommune = kommune
        self.lines = lines
        self.config = config
    }

    var overdue: Int { lines.filter { $0.item.state == .overdue }.count }
    var open: Int { lines.filter { $0.item.state == .open }.count }

    /// "Bergen kommune (4601)", or "alle kommuner".
    func place(_ kommune: String?, pathway: String = "pakkeforlop-hjem") -> String {
        guard let kommune else { return "ukjent kommune" }
        return "\(config.kommuneName(kommune, pathway: pathway)) (\(kommune))"
    }

    var heading: String {
        "Arbeidsliste pakkeforløp per \(asOf.norwegian) – "
            + (kommune.map { place($0) } ?? "alle kommuner")
    }

    // MARK: Norwegian labels

    static func state(_ state: DueState) -> String { state == .overdue ? "forfalt" : "vindu åpent" }

    /// `PFH-SP2` → `SP2`: the coordinators know the points by their short names.
    static func event(_ code: String) -> String { code.split(separator: "-").last.map(String.init) ?? code }

    static func timing(_ item: DueItem) -> String {
        item.state == .overdue
            ? "\(item.days) \(item.days == 1 ? "dag" : "dager") over fristen"
            : "\(item.days) \(item.days == 1 ? "dag" : "dager") igjen"
    }

    static func anchor(_ item: DueItem) -> String {
        item.anchor.norwegian
            + (item.anchorSource == .diagnosisDate ? " (diagnosedato)" : " (SP1-dato, anslått)")
    }

    static func flag(_ flag: TimelineFlag) -> String {
        switch flag {
        case .repeatedStart: "SP1 sendt flere ganger"
        case .conflictingDiagnosisDate: "ulike diagnosedatoer"
        case .noStart: "SP1 mangler"
        case .beforeStart: "datert før SP1"
        case .arrivedBeforeStart: "kom før SP1"
        case .repeatedEvent: "hendelse registrert flere ganger"
        case .futureDate: "datert fram i tid"
        }
    }

    static func identity(_ id: PatientIdentityLookup.Identity) -> String {
        var text = "startmelding \(id.partner) MsgId \(id.msgId ?? "?")"
        if let number = id.fodselsnummer { text += ", fødselsnummer \(number)" + (id.name.map { " (\($0))" } ?? "") }
        if let note = id.note { text += "; \(note)" }
        return text
    }

    // MARK: Text and CSV

    public var text: String {
        var out = heading + "\n"
        var current: String?? = .none
        for line in lines {
            let item = line.item
            if current != .some(item.kommune) {
                current = .some(item.kommune)
                let here = lines.filter { $0.item.kommune == item.kommune }
                out +=
                    "\n\(place(item.kommune, pathway: item.pathway)): \(here.filter { $0.item.state == .overdue }.count) forfalt, "
                    + "\(here.filter { $0.item.state == .open }.count) med åpent vindu\n"
            }
            out +=
                "  \(item.state == .overdue ? "FORFALT    " : "vindu åpent")  \(Self.event(item.event))  "
                + "vindu \(item.windowOpens.norwegian)–\(item.windowCloses.norwegian), "
                + "\(Self.timing(item))  pasient \(item.patient)  fra \(Self.anchor(item))"
                + (item.hospital.map { "  sykehus \($0)" } ?? "") + "\n"
            if !item.flags.isEmpty {
                out += "               merknader: \(item.flags.map(Self.flag).joined(separator: ", "))\n"
            }
            if let identity = line.identity { out += "               identitet: \(Self.identity(identity))\n" }
        }
        if lines.isEmpty { out += "\nIngen pasienter med åpent eller passert vindu.\n" }
        return out + "\n\(overdue) forfalt, \(open) med åpent vindu\n"
    }

    public var csv: String {
        var header = [
            "kommune", "kommunenavn", "forlop", "punkt", "status", "vindu_fra", "vindu_til", "dager", "ankerdato",
            "ankerdato_kilde", "pasient", "sykehus", "merknader",
        ]
        let identities = lines.contains { $0.identity != nil }
        if identities {
            header += ["startmelding_avsender", "startmelding_msgid", "fodselsnummer", "navn", "identitet_merknad"]
        }
        var rows = [header.joined(separator: ",")]
        for line in lines {
            let item = line.item
            var fields = [
                item.kommune ?? "", item.kommune.map { config.kommuneName($0, pathway: item.pathway) } ?? "",
                item.pathway,
                Self.event(item.event), Self.state(item.state), item.windowOpens.description,
                item.windowCloses.description,
                String(item.days), item.anchor.description,
                item.anchorSource == .diagnosisDate ? "diagnosedato" : "SP1-dato (anslått)",
                item.patient, item.hospital ?? "", item.flags.map(Self.flag).joined(separator: "; "),
            ]
            if identities {
                let id = line.identity
                fields += [id?.partner ?? "", id?.msgId ?? "", id?.fodselsnummer ?? "", id?.name ?? "", id?.note ?? ""]
            }
            rows.append(fields.map(Self.field).joined(separator: ","))
        }
        return rows.joined(separator: "\r\n") + "\r\n"
    }

    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
