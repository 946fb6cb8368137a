/// What the report needs of one episode, judged on one day: small values only (no events), so
/// that a report over years of history holds one of these per episode and groups them by index.
/// Made from a stored row (`pathway_episodes` and its `pathway_windows`) or, when the stored rows
/// cannot answer (a report as of an earlier day, or rows not yet re-derived), from a recomputed
/// episode through the same `StoredEpisode` values.
struct ReportEpisode: Sendable {
    /// The patient, as a number unique within the report (distinct patients are counted).
    var patient: Int
    /// Current kommune (aliases applied), `unknown` when none was stated.
    var kommune: String
    /// The partner that sent the start event, `unknown` without one.
    var hospital: String
    /// The pathway type the episode's first event told.
    var type: String?
    var anchor: CalendarDate?
    /// The anchor is the start event's date (no diagnosis date was stated).
    var estimated: Bool
    var flagged: Bool
    /// Days from the stated diagnosis date to the start event; nil when estimated or unanchored.
    var diagnosisToStart: Int?
    /// The first date of each event of the pathway definition, in definition order.
    var firsts: [CalendarDate?]
    /// Where each due event of the definition stands on the report's day, in definition order.
    var states: [DueState]
    /// Indexes of the routed messages (in the report's routed rows) of this episode's events.
    var routed: [Int32]

    /// From stored values: `windows` are the episode's window rows (any order).
    init(
        patient: Int, stored e: StoredFields, windows: [EpisodeWindow], definition: PathwayDefinition,
        context: Context
    ) {
        self.patient = patient
        let kommune = e.kommune.map { context.aliases[$0] ?? $0 }
        self.kommune = kommune ?? OverdueCounts.unknownKommune
        hospital = e.hospital ?? OverdueCounts.unknownKommune
        type = e.type
        let anchor = e.anchor.flatMap { CalendarDate(iso: $0) }
        self.anchor = anchor
        estimated = e.anchorSource == PathwayEpisode.AnchorSource.startEvent.rawValue
        flagged = !e.flags.isEmpty
        let firsts = StoredEpisode.firstDates(e.firsts, codes: context.codes)
        self.firsts = firsts
        let startDate = zip(definition.events, firsts).compactMap { $0.0.starts ? $0.1 : nil }.min()
        diagnosisToStart =
            e.anchorSource == PathwayEpisode.AnchorSource.diagnosisDate.rawValue
            ? startDate.flatMap { start in anchor.map { $0.days(until: start) } } : nil
        states = context.dueCodes.map { code in
            guard anchor != nil, let window = windows.first(where: { $0.event == code }) else { return .noAnchor }
            return window.state(on: context.today)
        }
        var routed: [Int32] = []
        if !context.routedByMessage.isEmpty {
            StoredEpisode.forEachPart(of: e.messageIds, separatedBy: ",") { id in
                if let rows = context.routedByMessage[id] { routed += rows }
            }
        }
        self.routed = routed
    }

    /// The columns of a stored episode the report reads.
    struct StoredFields: Sendable {
        var kommune: String?
        var hospital: String?
        var type: String?
        var anchor: String?
        var anchorSource: String?
        var flags: String
        var firsts: String
        var messageIds: String
    }

    /// What every episode of one pathway is read against.
    struct Context: Sendable {
        var today: CalendarDate
        var aliases: [String: String]
        /// The definition's event codes and due event codes, in definition order.
        var codes: [String]
        var dueCodes: [String]
        /// Routed message rows by the inbound message id (a slice of `message_ids`, so that
        /// looking one up copies nothing).
        var routedByMessage: [Substring: [Int32]]

        init(
            today: CalendarDate, aliases: [String: String], definition: PathwayDefinition,
            routedByMessage: [Substring: [Int32]]
        ) {
            self.today = today
            self.aliases = aliases
            codes = definition.events.map(\.code)
            dueCodes = definition.dueEvents.map(\.code)
            self.routedByMessage = routedByMessage
        }
    }
}

extension ReportEpisode.StoredFields {
    init(_ e: StoredEpisode) {
        self.init(
            kommune: e.kommune, hospital: e.hospital, type: e.type, anchor: e.anchor, anchorSource: e.anchorSource,
            flags: e.flags, firsts: e.firsts, messageIds: e.messageIds)
    }
}
