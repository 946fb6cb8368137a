extension PathwayCatalog {
    /// What stored episodes depend on, as canonical text: each pathway's id, `closeAfter` and its
    /// events' roles and windows (not names, meanings or matched codes, which change no episode).
    /// Stored in `state_facts`; when the configuration changes it, episodes are derived anew.
    /// The leading version changes when the episode rules themselves do.
    var episodeFingerprint: String {
        let parts = definitions.sorted { $0.id < $1.id }.map { definition in
            let events = definition.events.map { event in
                [
                    event.code, event.starts ? "s" : "", event.completes ? "c" : "", event.closes ? "x" : "",
                    event.due.map { "\($0.from)-\($0.to)" + ($0.lapsesWhenOpens.map { "<\($0)" } ?? "") } ?? "",
                ].joined(separator: ":")
            }
            return "\(definition.id)[\(definition.closeAfter?.description ?? "")](\(events.joined(separator: ",")))"
        }
        return "episodes-v3;" + parts.joined(separator: ";")
    }

    /// The most days a missing event can stay overdue after its window closed (until the next
    /// window opens or `closeAfter`), generously rounded up (a month as 31 days); nil when some due
    /// event can stay overdue for ever. Bounds the overdue count's index range.
    var overdueSpanDays: Int? {
        var longest = 0
        for definition in definitions {
            for event in definition.dueEvents {
                guard let due = event.due else { continue }
                let lapse = [
                    definition.closeAfter, due.lapsesWhenOpens.flatMap { definition.event(code: $0)?.due?.from },
                ]
                .compactMap { $0 }.map { $0.months * 31 + $0.days }.min()
                guard let lapse else { return nil }
                longest = max(longest, lapse - (due.to.months * 28 + due.to.days) + 1)
            }
        }
        return longest
    }
}
