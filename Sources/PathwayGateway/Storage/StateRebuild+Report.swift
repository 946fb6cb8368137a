extension StateRebuild {
    /// What a rebuild did and what it could not do: counts and reasons, never a patient
    /// identifier (nor a MsgId: the audit log is where a message is followed).
    public struct Report: Sendable, Equatable {
        public var database = ""
        /// Where the old database was put (nil when there was none).
        public var keptAside: String?
        public var auditFiles = 0, auditRecords = 0
        public var counts = MessageStore.RebuildCounts()
        public var appRecsFromOutbound = 0, appRecsReEncoded = 0
        /// Reason → how many messages it affected; empty when everything was rebuilt.
        public var notRebuilt: [String: Int] = [:]
        /// Whether a new pseudonym key was made (`--new-key`).
        public var newKey = false

        mutating func gap(_ reason: String) { notRebuilt[reason, default: 0] += 1 }

        public var complete: Bool { notRebuilt.isEmpty }

        /// The report as the command prints it, one fact per line.
        public var lines: [String] {
            var lines = ["rebuilt \(database) from \(auditFiles) audit file(s), \(auditRecords) record(s)"]
            lines.append(
                keptAside.map { "old database kept as \($0) (with its -wal/-shm, if any)" }
                    ?? "there was no old database")
            lines += [
                "messages:         \(counts.messages) (keys for resends: \(counts.keys))",
                "AppRecs:          \(counts.appRecs) (\(appRecsFromOutbound) from outbound files, \(appRecsReEncoded) re-encoded from archived originals)",
                "routed:           \(counts.routed) (\(counts.awaitingAppRec) awaiting the receiver's AppRec)",
                "timeline events:  \(counts.timelineEvents)",
            ]
            if newKey {
                lines.append(
                    "a NEW pseudonym key was made: patients get new pseudonyms from now on (older records keep the old ones)"
                )
            }
            lines.append(
                "not rebuilt:      audit checkpoints (taken again from the next start); output bytes (every message is done)"
            )
            for (reason, count) in notRebuilt.sorted(by: { $0.key < $1.key }) {
                lines.append("NOT REBUILT:      \(count) message(s): \(reason)")
            }
            return lines
        }
    }

    /// Why a message's AppRec, timeline event or receiver status could not be taken from its
    /// original (the reasons the report counts).
    enum Unavailable: String, Error {
        case noDestination = "no archived/quarantined record in the log"
        case gone = "original gone from archive/quarantine (retention, or moved by hand)"
        case changed = "original in archive/quarantine differs from the logged sha256"
        case decidedDifferently = "original decided differently today (configuration or rules changed since)"
    }
}
