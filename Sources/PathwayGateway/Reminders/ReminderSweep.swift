import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reminders (spec §9), exactly once per patient and window: each tick (1) writes again the file
/// of an intent the pipeline has not registered and that is in neither the gateway's inbox nor
/// its processing directory (a crash between intent and file), then (2) records an intent for
/// every window open today, in a kommune whose contact point for that pathway has reminders on,
/// that has none yet, commits them, and only then writes their files. The pipeline does the rest
/// as for any inbound file: validation, the sender check, routing to the contact point by the
/// Receiver (byte for byte), the `message_keys` entry that makes a second copy a duplicate, the
/// audit records and the routed row whose AppRec is awaited.
struct ReminderSweep: Sendable {
    let config: GatewayConfig
    let spool: Spool
    let store: MessageStore
    let pseudonymizer: Pseudonymizer

    /// What one tick did, for the log (no patient identity: pseudonyms only).
    struct Outcome: Sendable {
        /// Reminder files written into the gateway's inbox (new ones and ones written again).
        var written: Int = 0
        /// Intents written again after a crash.
        var rewritten: Int = 0
        /// Windows for which no reminder could be written, with the reason (logged once: the row
        /// with its note keeps them from being tried again).
        var notes: [(pseudonym: String, event: String, reason: String)] = []
    }

    private var reminders: ReminderStore { ReminderStore(db: store.db) }

    /// The note of a window whose reminder was sent before its row was lost (a state rebuild).
    static let sentBefore = "sent before (its MsgId is registered); the intent was not kept"

    /// One tick on `today` (the gateway's own clock, Oslo; tests inject it).
    func run(today: CalendarDate, now: Date) throws -> Outcome {
        guard let partner = config.internalPartner else { return Outcome() }
        var outcome = Outcome()
        try rewritePending(into: &outcome, inbox: partner.id)
        var rows: [ReminderStore.Row] = []
        var messages: [String: [UInt8]] = [:]
        let createdAt = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        for kommune in queriedKommuner {
            for window in try reminders.candidates(kommune: kommune, today: today) {
                guard let point = contactPoint(for: window) else { continue }
                var row = ReminderStore.Row(
                    key: window.key, contactPointHerId: point.herId, msgId: Self.msgId(window), fileName: nil,
                    createdAt: createdAt, note: nil)
                if try reminders.isRegistered(msgId: row.msgId, gatewayHerId: config.gateway.herId) {
                    row.note = Self.sentBefore
                    rows.append(row)
                    continue
                }
                switch compose(window, point: point, msgId: row.msgId, createdAt: createdAt) {
                case let .success(message):
                    row.fileName = "\(row.msgId).xml"
                    messages[row.msgId] = message.bytes
                case let .failure(note):
                    row.note = note.reason
                }
                rows.append(row)
            }
        }
        let recorded = try reminders.record(rows)
        CrashPoint.hit("reminder-intent")
        for row in recorded {
            if let name = row.fileName, let bytes = messages[row.msgId] {
                try DurableFile.write(bytes, to: "\(spool.inbound(partner.id))/\(name)")
                outcome.written += 1
            } else if let note = row.note, note != Self.sentBefore {
                outcome.notes.append((row.key.pseudonym, row.key.event, note))
            }
        }
        return outcome
    }

    /// Step 1: intents whose file the pipeline never saw.
    private func rewritePending(into outcome: inout Outcome, inbox: String) throws {
        for row in try reminders.pending(gatewayHerId: config.gateway.herId) {
            guard let name = row.fileName else { continue }
            let inboxPath = "\(spool.inbound(inbox))/\(name)"
            if DurableFile.exists(inboxPath) || DurableFile.exists("\(spool.processing(inbox))/\(name)") { continue }
            guard let window = try reminders.window(row.key),
                let point = contactPoint(for: window, herId: row.contactPointHerId)
            else {
                try reminders.settle([row.key], note: "the window or its contact point is gone; no reminder written")
                outcome.notes.append((row.key.pseudonym, row.key.event, "window or contact point gone"))
                continue
            }
            switch compose(window, point: point, msgId: row.msgId, createdAt: row.createdAt) {
            case let .success(message):
                try DurableFile.write(message.bytes, to: inboxPath)
                outcome.written += 1
                outcome.rewritten += 1
            case let .failure(note):
                try reminders.settle([row.key], note: note.reason)
                outcome.notes.append((row.key.pseudonym, row.key.event, note.reason))
            }
        }
    }

    /// The kommuner with a contact point that has reminders on, and the retired numbers aliased
    /// to them (a window keeps the kommune its events named).
    private var queriedKommuner: [String] {
        let current = Set(config.contactPoints.filter(\.reminders).map(\.kommune))
        let retired = config.kommuneAliases.filter { current.contains($0.value) }.map(\.key)
        return (current.union(retired)).sorted()
    }

    /// The contact point for the window's kommune and pathway, when it has reminders on (a point
    /// for the pathway wins over the kommune's `*` one, as in routing); with `herId`, only that one.
    private func contactPoint(for window: ReminderStore.Window, herId: String? = nil) -> ContactPoint? {
        guard let point = config.contactPoint(kommune: window.kommune, pathway: window.key.pathway), point.reminders,
            herId == nil || point.herId == herId
        else { return nil }
        return point
    }

    /// The reminder's MsgId: the same for the same patient and window, whatever the run, so that
    /// its (gateway HER-id, MsgId) key can be registered only once. The episode is named by its
    /// start message (else its anchor), not by `seq`: `seq` counts episodes within the patient's
    /// latest events and can shift for a long history, and a shifted window must find its
    /// reminder already sent.
    static func msgId(_ window: ReminderStore.Window) -> String {
        let key = window.key
        let digest = SHA256.hex(Array("\(key.pathway)\n\(key.pseudonym)\n\(key.episode)\n\(key.event)".utf8))
        return "pgw-reminder-" + digest.prefix(16)
    }

}
