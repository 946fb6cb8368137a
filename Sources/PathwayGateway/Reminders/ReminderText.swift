/// The Norwegian words of a reminder (spec §9): which point, which pathway, the window's dates and
/// the anchor they were counted from, all from the pathway catalog.
enum ReminderText {
    /// `Tema`: "Påminnelse: SP2 i Pakkeforløp hjem for pasienter med kreft".
    static func topic(_ window: ReminderStore.Window, definition: PathwayDefinition) -> String {
        "Påminnelse: \(DueWorklist.event(window.key.event)) i \(definition.name)"
    }

    /// The note, e.g. "Påminnelse: vinduet for SP2 (3–4 måneder etter diagnosedato) i Pakkeforløp
    /// hjem for pasienter med kreft er åpent 1.11.2026–1.12.2026. Diagnosedato 1.8.2026 (anslått
    /// fra SP1-datoen)."
    static func note(
        _ window: ReminderStore.Window, definition: PathwayDefinition, contactPoint: ContactPoint,
        gateway: String
    ) -> String {
        let point = DueWorklist.event(window.key.event)
        var timing = ""
        if let due = definition.event(code: window.key.event)?.due {
            let anchorWord = definition.diagnosisDate == nil ? "start" : "diagnosedato"
            timing = " (\(period(due.from, due.to)) etter \(anchorWord))"
        }
        var text =
            "Påminnelse: vinduet for \(point)\(timing) i \(definition.name) er åpent "
            + "\(window.opens.norwegian)–\(window.closes.norwegian)."
        if let anchor = window.anchor {
            let start = definition.events.first(where: \.starts).map { DueWorklist.event($0.code) } ?? "start"
            let label = definition.diagnosisDate == nil ? "Startdato" : "Diagnosedato"
            let source =
                window.anchorSource == .diagnosisDate
                ? "oppgitt i \(start)" : "anslått fra \(start)-datoen"
            text += " \(label) \(anchor.norwegian) (\(source))."
        }
        text += " Sendt automatisk av \(gateway) til \(contactPoint.name) fordi vinduet har åpnet seg."
        return text
    }

    /// "3–4 måneder", "14–28 dager"; mixed periods as the report writes each.
    static func period(_ from: PathwayPeriod, _ to: PathwayPeriod) -> String {
        if from.days == 0, to.days == 0 { return "\(from.months)–\(to.months) måneder" }
        if from.months == 0, to.months == 0 { return "\(from.days)–\(to.days) dager" }
        return "\(PathwayReportHTML.period("\(from)"))–\(PathwayReportHTML.period("\(to)"))"  // "3 mnd 14 d–4 mnd"
    }

}
