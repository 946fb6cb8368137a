extension PathwayCatalog {
    /// What stored episodes depend on, as canonical text: each pathway's id, `closeAfter` and its
    /// events' roles and windows (not names, meanings or matched codes, which change no episode).
    /// Stored in `state_facts`; when the configuration changes it, episodes are derived anew.
    /// The leading version changes when the episode rules themselves do.
    var episodeFingerprint: String {
        let parts = definitions.sorted { $0.id < $1.id }.map { definition in
            let events = definition.events.map { event in
                [event.code, event.starts ? "s" : "", event.completes ? "c" : "", event.closes ? "x" : "",
                 event.due.map { "\($0.from)-\($0.to)" + ($0.lapsesWhenOpens.map { "<\($0)" } ?? "") } ?? ""].joined(separator: ":")
            }
            return "\(definition.id)[\(definition.closeAfter?.description ?? "")](\(events.joined(separator: ",")))"
        }
        return "episodes-v2;" + parts.joined(separator: ";")
    }
}
