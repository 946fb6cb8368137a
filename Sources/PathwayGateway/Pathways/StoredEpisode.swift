/// One episode as `pathway_episodes` holds it (text dates, as the database keeps them), with its
/// windows: the one translation from a derived `PathwayEpisode` to stored values, used when the
/// episode store writes a patient's rows and when the report is made from recomputed timelines,
/// so that both give the report the same values.
///
/// Beyond what `status` and the worklists read, a row carries what the report needs so that it
/// never loads the events (migration 9): the type the first event told, the first date of each
/// event code in the episode (for medians and histograms), and the message ids of its events (for
/// the delivery figures of routed messages).
struct StoredEpisode: Sendable, Hashable {
    var pathway: String
    var pseudonym: String
    var seq: Int
    var anchor: String?
    var anchorSource: String?
    var ends: String?
    var completed: Bool
    var closedOn: String?
    var closedReason: String?
    /// Raw (aliases are applied when read).
    var kommune: String?
    var hospital: String?
    var startMessageId: String?
    /// The episode's irregularities, comma-separated raw values, sorted; empty when none.
    var flags: String
    var events: Int
    var type: String?
    /// `CODE=yyyy-MM-dd` per event code, its first occurrence, `;`-separated in entry order.
    var firsts: String
    /// The message ids of the episode's events, `,`-separated in entry order.
    var messageIds: String
    var windows: [EpisodeWindow]

    init(_ episode: PathwayEpisode, seq: Int, definition: PathwayDefinition) {
        pathway = episode.pathway
        pseudonym = episode.pseudonym
        self.seq = seq
        anchor = episode.anchor?.description
        anchorSource = episode.anchorSource?.rawValue
        ends = episode.closes?.description
        completed = episode.entries.contains(where: \.completes)
        closedOn = episode.closing?.eventDate.description
        closedReason = episode.closing?.reason
        kommune = episode.kommune
        hospital = episode.hospital
        startMessageId = episode.start?.messageId
        let allFlags = episode.entries.flatMap(\.flags)
        flags = allFlags.isEmpty ? "" : Set(allFlags).map(\.rawValue).sorted().joined(separator: ",")
        events = episode.entries.count
        type = episode.entries.first?.observation.type
        // Built by appending (written for every recorded event: no arrays of parts, no sets).
        var (firsts, messageIds, seen) = ("", "", [String]())
        for entry in episode.entries {
            let o = entry.observation
            if !messageIds.isEmpty { messageIds += "," }
            messageIds += o.messageId
            guard !seen.contains(o.event) else { continue }
            seen.append(o.event)
            if !firsts.isEmpty { firsts += ";" }
            firsts += o.event + "=" + o.eventDate.description
        }
        (self.firsts, self.messageIds) = (firsts, messageIds)
        windows = EpisodeWindow.windows(of: episode, index: seq, definition: definition)
    }

    /// The episodes of one patient's events (all of one pathway), numbered in start order.
    static func episodes(of observations: [PathwayObservation], definition: PathwayDefinition) -> [StoredEpisode] {
        PatientTimeline.episodes(observations, definition: definition).enumerated().map {
            StoredEpisode($0.element, seq: $0.offset, definition: definition)
        }
    }

    /// The first date of each of `codes` in a `firsts` text, in the order of `codes`.
    static func firstDates(_ firsts: String, codes: [String]) -> [CalendarDate?] {
        var dates = [CalendarDate?](repeating: nil, count: codes.count)
        forEachPart(of: firsts, separatedBy: ";") { part in
            guard let equals = part.utf8.lastIndex(of: UInt8(ascii: "=")),
                let index = codes.firstIndex(where: { $0.utf8.elementsEqual(part[..<equals].utf8) })
            else { return }
            dates[index] = CalendarDate(iso: part[part.utf8.index(after: equals)...])
        }
        return dates
    }

    /// Calls `body` with each non-empty part of `text` between `separator`s, in place (the report
    /// reads every stored episode's lists: no array of parts is made).
    static func forEachPart(of text: String, separatedBy separator: Unicode.Scalar, _ body: (Substring) -> Void) {
        var rest = text[...]
        while !rest.isEmpty {
            let end = rest.utf8.firstIndex(of: UInt8(ascii: separator)) ?? rest.endIndex
            if end > rest.startIndex { body(rest[..<end]) }
            rest = end == rest.endIndex ? rest[end...] : rest[rest.utf8.index(after: end)...]
        }
    }
}
