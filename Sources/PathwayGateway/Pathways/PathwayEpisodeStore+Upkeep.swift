/// Keeping one patient's rows current as each event is recorded, at a cost that does not follow
/// the history: a patient seen for the first time is written from the one event (no delete, no
/// read of their events); otherwise their episodes are derived before and after the event from
/// the same rows read once, and only the episode and window rows that changed are written.
extension PathwayEpisodeStore {
    /// Brings one patient's episodes of one pathway up to date after `added` was recorded. Runs
    /// in the caller's transaction (`PathwayTimelines.record`).
    func refresh(after added: PathwayObservation) throws {
        guard let definition = catalog.definition(id: added.pathway) else { return }
        guard try hasEpisodes(pathway: added.pathway, pseudonym: added.pseudonym) else {
            // Every event of a known pathway makes an episode: no row, no earlier event.
            for episode in StoredEpisode.episodes(of: [added], definition: definition) { try insert(episode) }
            return
        }
        let events = try PathwayTimelines.observations(
            in: db, pathway: added.pathway, pseudonym: added.pseudonym, latest: Self.eventsKept)
        let after = StoredEpisode.episodes(of: events, definition: definition)
        guard events.count < Self.eventsKept else {
            // Older events may have dropped out of the latest: the rows before are not known here.
            try deleteRows(pathway: added.pathway, pseudonym: added.pseudonym, fromSeq: 0)
            for episode in after { try insert(episode) }
            return
        }
        // All of the patient's events were read: without `added` they gave the stored rows.
        let before = StoredEpisode.episodes(
            of: events.filter { $0.messageId != added.messageId }, definition: definition)
        for episode in after where episode.seq >= before.count || before[episode.seq] != episode {
            try update(episode, over: episode.seq < before.count ? before[episode.seq] : nil)
        }
        if before.count > after.count {
            try deleteRows(pathway: added.pathway, pseudonym: added.pseudonym, fromSeq: after.count)
        }
    }

    /// Whether the patient has any episode row of the pathway.
    private func hasEpisodes(pathway: String, pseudonym: String) throws -> Bool {
        try db.query(
            "SELECT 1 FROM pathway_episodes WHERE pathway = ? AND pseudonym = ? LIMIT 1", [pathway, pseudonym]
        ) { _ in true }.first ?? false
    }

    /// Writes the rows of `episode` that differ from `old` (its rows before; nil: none).
    private func update(_ episode: StoredEpisode, over old: StoredEpisode?) throws {
        guard let old else { return try insert(episode) }
        var (rowNow, rowBefore) = (episode, old)
        (rowNow.windows, rowBefore.windows) = ([], [])
        if rowNow != rowBefore { try writeEpisodeRow(episode, replacing: true) }
        for window in episode.windows where !old.windows.contains(window) {
            try writeWindowRow(window, seq: episode.seq, replacing: true)
        }
        for window in old.windows where !episode.windows.contains(where: { $0.event == window.event }) {
            try db.run(
                "DELETE FROM pathway_windows WHERE pathway = ? AND pseudonym = ? AND seq = ? AND event = ?",
                window.pathway, window.pseudonym, old.seq, window.event)
        }
    }

    /// Deletes the patient's episode and window rows numbered `fromSeq` and later.
    private func deleteRows(pathway: String, pseudonym: String, fromSeq: Int) throws {
        try db.run(
            "DELETE FROM pathway_episodes WHERE pathway = ? AND pseudonym = ? AND seq >= ?", pathway, pseudonym, fromSeq
        )
        try db.run(
            "DELETE FROM pathway_windows WHERE pathway = ? AND pseudonym = ? AND seq >= ?", pathway, pseudonym, fromSeq)
    }

    /// Inserts one episode's row and its windows' rows.
    func insert(_ e: StoredEpisode) throws {
        try writeEpisodeRow(e, replacing: false)
        for window in e.windows { try writeWindowRow(window, seq: e.seq, replacing: false) }
    }

    private func writeEpisodeRow(_ e: StoredEpisode, replacing: Bool) throws {
        try db.run(
            replacing ? Self.replaceEpisodeSQL : Self.insertEpisodeSQL, e.pathway, e.pseudonym, e.seq, e.anchor,
            e.anchorSource, e.ends, e.completed ? 1 : 0, e.closedOn, e.closedReason, e.kommune, e.hospital,
            e.startMessageId, e.flags, e.events, e.type, e.firsts, e.messageIds)
    }

    private func writeWindowRow(_ w: EpisodeWindow, seq: Int, replacing: Bool) throws {
        try db.run(
            replacing ? Self.replaceWindowSQL : Self.insertWindowSQL, w.pathway, w.pseudonym, seq, w.event,
            w.opens.description, w.closes.description, w.kommune, w.outcome?.rawValue, w.lapsesAfter?.description,
            w.closedOn?.description, w.liveUntil?.description ?? Self.forever)
    }

    private static let episodeColumns = """
        pathway_episodes (pathway, pseudonym, seq, anchor, anchor_source, ends, completed, closed_on, closed_reason,
          kommune, hospital, start_message_id, flags, events, type, firsts, message_ids)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    private static let windowColumns = """
        pathway_windows (pathway, pseudonym, seq, event, opens, closes, kommune, outcome, lapses_after, closed_on,
          live_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    private static let insertEpisodeSQL = "INSERT INTO " + episodeColumns
    private static let replaceEpisodeSQL = "INSERT OR REPLACE INTO " + episodeColumns
    private static let insertWindowSQL = "INSERT INTO " + windowColumns
    private static let replaceWindowSQL = "INSERT OR REPLACE INTO " + windowColumns
}
