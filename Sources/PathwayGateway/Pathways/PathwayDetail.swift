import Foundation

/// The pathway facts of one accepted message beyond its event code: when the event happened, the
/// diagnosis date if the message states one, and the pathway type its code told. The pipeline
/// reads them (pure, from the parsed message) and the daemon records them in the patient's timeline.
///
/// Where the dates come from (also in the README):
/// - event date: the first `Notat/DatoNotat` (the date the note is about: for SP1 the day of the
///   needs-assessment conversation), else the date of `MsgInfo/GenDate` (in Oslo when it carries a
///   zone), else the day the gateway received the message, in Oslo.
/// - diagnosis date: a `KodetOpplysning` with the pathway's diagnosis-date code, its `OT` the date;
///   else a line `Diagnosedato: 2026-09-14` (or `14.09.2026`) in the note text or the question.
///   Absent → nil, and the start event's date stands in for it (spec §5).
struct PathwayDetail: Sendable, Hashable {
    enum DateSource: String, Sendable, Hashable, Codable {
        case datoNotat, genDate, received
    }

    var event: String
    var pathway: String
    var type: String?
    var eventDate: CalendarDate
    var eventDateSource: DateSource
    var diagnosisDate: CalendarDate?
    /// Why a closing event (`PFH-AVSLUTTET`) closed the episode: one of the event's `reasons`.
    var reason: String?

    init(
        event: String, pathway: String, type: String? = nil, eventDate: CalendarDate,
        eventDateSource: DateSource = .datoNotat, diagnosisDate: CalendarDate? = nil, reason: String? = nil
    ) {
        self.event = event
        self.pathway = pathway
        self.type = type
        self.eventDate = eventDate
        self.eventDateSource = eventDateSource
        self.diagnosisDate = diagnosisDate
        self.reason = reason
    }
}

extension PathwayRules {
    /// The pathway facts of `head`, nil when it carries no pathway event.
    func detail(for head: MsgHead, receivedAt: Date) -> PathwayDetail? {
        guard let match = match(for: head.dialogmelding) else { return nil }
        let dialog = head.dialogmelding
        var detail = PathwayDetail(
            event: match.event.code, pathway: match.event.pathway, type: match.type,
            eventDate: CalendarDate(receivedAt), eventDateSource: .received)
        if let date = dialog?.notater.lazy.compactMap({ $0.datoNotat.flatMap { CalendarDate(iso: $0) } }).first {
            (detail.eventDate, detail.eventDateSource) = (date, .datoNotat)
        } else if let date = Self.day(ofDateTime: head.genDate) {
            (detail.eventDate, detail.eventDateSource) = (date, .genDate)
        }
        if let source = catalog.definition(id: match.event.pathway)?.diagnosisDate, let dialog {
            detail.diagnosisDate = Self.diagnosisDate(in: dialog, source: source)
        }
        if match.event.closes, let dialog {
            // The reason is a further coded value (KodetOpplysning or a second SakstypeKodet) in the
            // code system the event itself was told in.
            detail.reason =
                dialog.codedValues.first { value in
                    value.v.map { match.event.reasons[$0] != nil } == true && value.s == match.system
                }?.v
        }
        return detail
    }

    static func diagnosisDate(in dialog: Dialogmelding, source: DiagnosisDateSource) -> CalendarDate? {
        for value in dialog.codedValues where value.v == source.code && value.s == source.system {
            if let text = value.ot, let date = CalendarDate(iso: text) ?? CalendarDate(norwegian: text) { return date }
        }
        let requests = dialog.foresporsler + dialog.notater.compactMap(\.foresporsel)
        let texts = dialog.notater.compactMap(\.tekstNotatInnhold) + requests.compactMap(\.sporsmal)
        for text in texts {
            for label in source.textLabels {
                if let date = date(after: label, in: text) { return date }
            }
        }
        return nil
    }

    /// The date written after `label` (case-insensitive), past spaces and one `:` or `=`.
    static func date(after label: String, in text: String) -> CalendarDate? {
        var searchFrom = text.startIndex
        while let found = text.range(of: label, options: [.caseInsensitive], range: searchFrom..<text.endIndex) {
            searchFrom = found.upperBound
            var rest = text[found.upperBound...].drop { $0 == " " || $0 == "\t" }
            if let first = rest.first, first == ":" || first == "=" {
                rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
            }
            let token = rest.prefix { $0.isASCII && ($0.isNumber || $0 == "-" || $0 == ".") }
            let trimmed = token.hasSuffix(".") && token.filter({ $0 == "." }).count == 3 ? token.dropLast() : token
            if let date = CalendarDate(iso: trimmed) ?? CalendarDate(norwegian: trimmed) { return date }
        }
        return nil
    }

    /// The calendar day of an xs:dateTime: as written when it has no zone (Norwegian senders write
    /// local time), converted to Oslo when it has one.
    static func day(ofDateTime text: String) -> CalendarDate? {
        guard text.count >= 19, let local = CalendarDate(iso: text.prefix(10)) else { return nil }
        let zone = text.dropFirst(19).drop { $0 == "." || $0.isNumber }
        guard !zone.isEmpty else { return local }
        return Timestamp.date(rfc3339Seconds: String(text.prefix(19)) + String(zone)).map { CalendarDate($0) }
    }
}
