import Foundation

/// The gateway's durable memory (spool/state/), in domain terms; no SQL exists outside this type.
///
/// Life of an inbound file: `claim` → `recordDecision` (outcome plus every file it will produce,
/// with their bytes, BEFORE anything is written) → write the files → `markOutputsWritten` → move
/// the original to its destination → `markDone`. After a crash, `pendingWork` lists what was
/// decided but not finished, and the files are (re)written from the stored bytes; `DurableFile`
/// treats an identical existing file as success, so redoing a step is always safe. Each operation
/// is one transaction and idempotent. Times are stored as INTEGER milliseconds since 1970 UTC:
/// exact round trip for `Date` at ms precision, cheap to compare and sort; read them in the
/// sqlite3 shell with `datetime(claimed_at/1000, 'unixepoch')`.
///
/// Schema (v5; the migrations in MessageStore+Schema.swift):
/// - `messages`: one row per claimed inbound file (duplicates too, with `duplicate_of` pointing at
///   the first). `state` claimed → decided → done. `destination` is where the original goes
///   (archive/quarantine path). A partial unique index allows one unfinished claim per file name.
/// - `message_keys`: (sender HER-id, MsgId) → the first message. A separate table, not a unique
///   index on `messages`, because duplicates get rows of their own and because only messages the
///   caller vouches for register a key (an X99 spoof must not block the real sender's MsgId).
/// - `apprecs`: the AppRec we sent per message, exact bytes included, so a duplicate is answered
///   byte for byte the same.
/// - `routed`: messages we forwarded; state planned → written → delivered | rejected, with the
///   receiver's AppRec status/error once it arrives.
/// - `outputs`: the intents: every file a decision produces (AppRec, routed message, notice) with
///   its final spool-relative path and bytes; `written_at` is NULL until it is durably written.
/// - `pending_audit`: a decided message's audit records until it is done, for a restart to append
///   those a crash kept out of the log.
public final class MessageStore: Sendable {
    let db: SQLiteDatabase
    private let now: @Sendable () -> Date

    /// Opens (creating and migrating) the state database at `path`.
    public init(path: String, now: @escaping @Sendable () -> Date = { Date() }) throws {
        db = try SQLiteDatabase(path: path)
        self.now = now
        try db.migrate(Self.migrations)
    }

    private init(db: SQLiteDatabase, now: @escaping @Sendable () -> Date) {
        self.db = db
        self.now = now
    }

    /// Another connection to the same file, for lookups of committed state on other threads while
    /// this connection's transaction is open: in WAL mode a reader never waits for the writer.
    /// The daemon plans the next batch on readers while this batch is recorded; on one shared
    /// connection every lookup waited for the whole batch transaction, and the planning threads
    /// stood idle (2 cores, 1.37 busy). Its page cache is smaller (4 MB): it holds the lookups'
    /// index pages only. An in-memory store has no second connection and answers with itself.
    func reader() throws -> MessageStore {
        guard db.path != ":memory:" else { return self }
        return MessageStore(db: try SQLiteDatabase(path: db.path, cacheKibibytes: 4_096), now: now)
    }

    private var nowMillis: Int64 { Int64((now().timeIntervalSince1970 * 1000).rounded()) }
}

// MARK: - Operations (each one transaction, each safe to repeat)

extension MessageStore {
    /// Runs several operations as one transaction (each operation inside becomes a savepoint):
    /// the daemon records a whole batch of decisions with one commit, one fsync.
    func batch<T>(_ body: () throws -> T) throws -> T { try db.transaction(body) }

    /// Inside a batch: the operations in `body` join the batch instead of each being a savepoint
    /// of its own (see `SQLiteDatabase.joiningNested`); `step` marks the units undone alone.
    func joined<T>(_ body: () throws -> T) rethrows -> T { try db.joiningNested(body) }

    /// One unit of a batch, undone alone when it throws (a savepoint, also inside `joined`).
    func step<T>(_ body: () throws -> T) throws -> T { try db.savepoint(body) }

    /// Claims an inbound file. Re-claiming the same file name with the same content while the first
    /// claim is unfinished resumes it (the gateway crashed mid-way); once a claim is done, the same
    /// file arriving again is a new message (a retransmission, which will be found a duplicate).
    /// `id` proposes the new message's id (the daemon plans with it before the claim is recorded).
    func claim(partnerId: String, fileName: String, sha256: String, id proposed: String? = nil) throws -> Claim {
        try db.transaction {
            let open = try db.query(
                "SELECT id, state, sha256 FROM messages WHERE partner_id = ? AND file_name = ? AND state <> 'done'",
                [partnerId, fileName]
            ) { row in
                (try row.string(0), try row.string(1), try row.string(2))
            }
            if let (id, state, claimedSHA) = open.first {
                guard claimedSHA == sha256.lowercased() else {
                    throw Failure.claimConflict(
                        partnerId: partnerId, fileName: fileName, claimedSHA256: claimedSHA, newSHA256: sha256)
                }
                return Claim(messageId: id, state: State(rawValue: state) ?? .claimed, resumed: true)
            }
            let id = proposed ?? TimeOrderedID.make()
            try db.run(
                "INSERT INTO messages (id, partner_id, file_name, sha256, state, claimed_at) VALUES (?, ?, ?, ?, 'claimed', ?)",
                id, partnerId, fileName, sha256.lowercased(), nowMillis)
            return Claim(messageId: id, state: .claimed, resumed: false)
        }
    }

    /// The message that first registered (sender HER-id, MsgId), with its file hash and the AppRec
    /// we sent for it: same hash → resend that AppRec; different hash → E10.
    func findFirst(senderHerId: String, msgId: String) throws -> FirstMessage? {
        try db.query(
            """
            SELECT m.id, m.sha256, m.outcome, a.receipt_id, a.status, a.error_code, a.error_text, a.bytes, a.path
            FROM message_keys k JOIN messages m ON m.id = k.message_id LEFT JOIN apprecs a ON a.message_id = m.id
            WHERE k.sender_her_id = ? AND k.msg_id = ?
            """, [senderHerId, msgId]
        ) { row in
            let appRec =
                row.isNull(3)
                ? nil
                : AppRecRecord(
                    receiptId: try row.string(3), status: try row.int(4), errorCode: try row.optionalString(5),
                    errorText: try row.optionalString(6), bytes: try row.bytes(7), path: try row.string(8))
            return FirstMessage(
                messageId: try row.string(0), sha256: try row.string(1),
                outcome: try row.optionalString(2).flatMap(Decision.Outcome.init(rawValue:)), appRec: appRec)
        }.first
    }

    /// Records the outcome and every planned output BEFORE any file is written. Returns false
    /// (changing nothing) when the message was already decided: the first decision stands, since
    /// its files may already be visible to partners. `staged`: final path → temp file already
    /// holding that output durably (recorded instead of its bytes). `auditTrail`: the decision's
    /// audit records, kept until they are in the log (recovery appends what a crash kept out).
    /// `pathwayEvent`: the pathway event the message carried (nil: none).
    @discardableResult
    func recordDecision(
        messageId id: String, _ decision: Decision, staged: [String: String] = [:],
        auditTrail: String? = nil, pathwayEvent: String? = nil
    ) throws -> Bool {
        try db.transaction {
            guard let state = try state(of: id) else { throw Failure.unknownMessage(id: id) }
            guard state == .claimed else { return false }
            guard (decision.outcome == .duplicate) == (decision.duplicateOf != nil) else {
                throw Failure.invalidDecision(
                    messageId: id, reason: "duplicateOf must be set exactly for the duplicate outcome")
            }
            let at = nowMillis
            try db.run(
                """
                UPDATE messages SET state = 'decided', outcome = ?, sender_her_id = ?, msg_id = ?, msg_type = ?,
                  error_code = ?, error_text = ?, duplicate_of = ?, destination = ?, decided_at = ?, pathway_event = ?
                  WHERE id = ?
                """, decision.outcome.rawValue, decision.senderHerId, decision.msgId, decision.msgType,
                decision.errorCode, decision.errorText, decision.duplicateOf, decision.destination, at,
                pathwayEvent ?? "", id)
            if let records = auditTrail {
                try db.run("INSERT INTO pending_audit (message_id, records) VALUES (?, ?)", id, records)
            }
            if decision.registersKey {
                guard let sender = decision.senderHerId, let msgId = decision.msgId else {
                    throw Failure.invalidDecision(messageId: id, reason: "registersKey needs senderHerId and msgId")
                }
                if let first = try findFirst(senderHerId: sender, msgId: msgId) {
                    throw Failure.keyAlreadyRegistered(
                        senderHerId: sender, msgId: msgId, firstMessageId: first.messageId)
                }
                try db.run(
                    "INSERT INTO message_keys (sender_her_id, msg_id, message_id) VALUES (?, ?, ?)", sender, msgId, id)
            }
            if let a = decision.appRec {
                try db.run(
                    """
                    INSERT INTO apprecs (message_id, receipt_id, status, error_code, error_text, bytes, path, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, id, a.receiptId, a.status, a.errorCode, a.errorText, a.bytes, a.path, at)
            }
            for r in decision.routed {
                try db.run(
                    """
                    INSERT INTO routed (routed_msg_id, message_id, sender_her_id, sender_chain, target_partner,
                                        target_her_id, path, state, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'planned', ?)
                    """, r.routedMsgId, id, decision.senderHerId ?? "", Self.encode(chain: r.senderChain),
                    r.targetPartner, r.targetHerId, r.path, at)
            }
            try recordFollowUps(decision.followUps, messageId: id)
            for o in decision.outputs(staged: staged) {
                try db.run(
                    "INSERT INTO outputs (message_id, path, kind, bytes, staged) VALUES (?, ?, ?, ?, ?)",
                    id, o.path, o.kind.rawValue, o.staged == nil ? o.bytes : nil, o.staged)
            }
            return true
        }
    }

    /// Marks planned outputs (all, or those at `paths`) as durably written; routed messages whose
    /// file is written move planned → written. Returns how many outputs changed.
    @discardableResult
    func markOutputsWritten(messageId id: String, paths: [String]? = nil) throws -> Int {
        try db.transaction {
            guard try state(of: id) != nil else { throw Failure.unknownMessage(id: id) }
            let at = nowMillis
            var changed = 0
            if let paths {
                for path in paths {
                    changed += try db.run(
                        "UPDATE outputs SET written_at = ? WHERE message_id = ? AND path = ? AND written_at IS NULL",
                        at, id, path)
                }
            } else {
                changed = try db.run(
                    "UPDATE outputs SET written_at = ? WHERE message_id = ? AND written_at IS NULL", at, id)
            }
            try db.run(Self.markRoutedWritten, at, id)
            return changed
        }
    }

    /// Forgets a message's stored audit records (argument: message id).
    private static let dropPendingAudit = "DELETE FROM pending_audit WHERE message_id = ?"

    /// A message's routed rows whose file is written: planned → written (arguments: time, message id).
    private static let markRoutedWritten = """
        UPDATE routed SET state = 'written', written_at = ? WHERE message_id = ? AND state = 'planned' AND EXISTS
          (SELECT 1 FROM outputs o WHERE o.message_id = routed.message_id AND o.path = routed.path AND o.written_at IS NOT NULL)
        """

    /// Closes messages whose outputs are all durably written and whose originals have been moved,
    /// in one transaction (the end of a batch): outputs and routed rows are marked written too.
    /// Three statements per message and no savepoints: this runs for every message the daemon
    /// handles, on the thread that commits the batches.
    func markDone(messageIds ids: [String]) throws {
        try db.transaction {
            let at = nowMillis
            for id in ids {
                try db.run("UPDATE outputs SET written_at = ? WHERE message_id = ? AND written_at IS NULL", at, id)
                try db.run(Self.markRoutedWritten, at, id)
                try db.run(Self.dropPendingAudit, id)
                let closed = try db.run(
                    "UPDATE messages SET state = 'done', done_at = ? WHERE id = ? AND state <> 'done'", at, id)
                if closed == 0, try state(of: id) == nil { throw Failure.unknownMessage(id: id) }
            }
        }
    }

    /// Forgets the stored audit records of messages whose records are known to be in the log
    /// (held back by a fault after their batch's append): recovery, which may run long after
    /// their records left the log's tail, must not append them again.
    func dropAuditFacts(messageIds ids: [String]) throws {
        try db.transaction {
            for id in ids { try db.run(Self.dropPendingAudit, id) }
        }
    }

    /// Closes a message once all its outputs are written and the original has been moved.
    func markDone(messageId id: String) throws {
        try db.transaction {
            guard let state = try state(of: id) else { throw Failure.unknownMessage(id: id) }
            guard state != .done else { return }
            let unwritten = try db.query(
                "SELECT path FROM outputs WHERE message_id = ? AND written_at IS NULL ORDER BY path", [id]
            ) {
                row in try row.string(0)
            }
            guard unwritten.isEmpty else { throw Failure.outputsNotWritten(messageId: id, paths: unwritten) }
            // The stored audit records only serve recovery of an unfinished message: drop them.
            try db.run(Self.dropPendingAudit, id)
            try db.run("UPDATE messages SET state = 'done', done_at = ? WHERE id = ?", nowMillis, id)
        }
    }

    /// Unfinished messages, oldest first, with the outputs still to write: the restart to-do list.
    /// `claimed` ones have no decision yet (their file should still be in inbound/).
    /// `messageId` narrows it to one message (the per-file path of the daemon, which must not read
    /// every other unfinished message's bytes).
    func pendingWork(messageId: String? = nil) throws -> [PendingWork] {
        try db.transaction(readOnly: true) {
            let messages = try db.query(
                """
                SELECT id, partner_id, file_name, state, destination, records FROM messages LEFT JOIN pending_audit ON message_id = id
                WHERE state <> 'done' AND (?1 IS NULL OR id = ?1) ORDER BY claimed_at, id
                """, [messageId]
            ) { row in
                (
                    try row.string(0), try row.string(1), try row.string(2), try row.string(3),
                    try row.optionalString(4),
                    try row.optionalString(5)
                )
            }
            return try messages.map { m in
                let outputs = try db.query(
                    """
                    SELECT kind, path, bytes, staged FROM outputs WHERE message_id = ? AND written_at IS NULL ORDER BY rowid
                    """, [m.0]
                ) { row in
                    PlannedOutput(
                        kind: PlannedOutput.Kind(rawValue: try row.string(0)) ?? .notice, path: try row.string(1),
                        bytes: try row.optionalBytes(2) ?? [], staged: try row.optionalString(3))
                }
                return PendingWork(
                    messageId: m.0, partnerId: m.1, fileName: m.2, state: State(rawValue: m.3) ?? .claimed,
                    outputs: outputs, destination: m.4, auditFacts: m.5)
            }
        }
    }

    /// The routed message an incoming AppRec answers. `partnerId` (the inbox the AppRec came from)
    /// is the trust boundary: a copy delivered to one partner is never answered by another's
    /// AppRec. `fromHerId` (the AppRec's sender) narrows the match when the same MsgId was routed to
    /// several receivers; `toHerId` (the AppRec's Receiver, the original sender) when two senders
    /// used the same MsgId. Nil for any of them matches any.
    func matchAppRec(
        originalMsgId: String, partnerId: String? = nil, fromHerId: String? = nil, toHerId: String? = nil
    ) throws -> RoutedMessage? {
        try db.query(
            """
            SELECT r.id, r.routed_msg_id, r.message_id, r.target_partner, r.target_her_id, r.path, r.state,
                   r.receiver_status, r.receiver_error_code, r.receiver_error_text,
                   r.sender_her_id, m.partner_id, coalesce(m.msg_id, r.routed_msg_id), r.sender_chain,
                   (SELECT a.msg_id FROM messages a WHERE a.id = r.receiver_message_id)
            FROM routed r JOIN messages m ON m.id = r.message_id
            WHERE r.routed_msg_id = ?1 AND (?2 IS NULL OR r.target_partner = ?2) AND (?3 IS NULL OR r.target_her_id = ?3)
              AND (?4 IS NULL OR r.sender_her_id = ?4)
            ORDER BY r.id LIMIT 1
            """, [originalMsgId, partnerId, fromHerId, toHerId]
        ) { row in
            RoutedMessage(
                id: try row.int64(0), routedMsgId: try row.string(1), messageId: try row.string(2),
                targetPartner: try row.string(3), targetHerId: try row.string(4), path: try row.string(5),
                state: RoutedState(rawValue: try row.string(6)) ?? .planned,
                receiverStatus: try row.optionalInt64(7).map(Int.init), receiverErrorCode: try row.optionalString(8),
                receiverErrorText: try row.optionalString(9), senderHerId: try row.string(10),
                senderPartner: try row.string(11), originalMsgId: try row.string(12),
                senderChain: Self.decodeChain(try row.optionalString(13)), answeredBy: try row.optionalString(14))
        }.first
    }

    /// Records the receiver's AppRec on a routed message: status 2 → rejected, else delivered.
    /// Returns false (changing nothing) when an answer was already recorded: the first one stands.
    @discardableResult
    func recordReceiverAppRec(
        routedId: Int64, status: Int, errorCode: String? = nil, errorText: String? = nil,
        appRecMessageId: String? = nil
    ) throws -> Bool {
        try db.transaction {
            try db.run(
                """
                UPDATE routed SET state = ?, receiver_status = ?, receiver_error_code = ?, receiver_error_text = ?,
                  receiver_message_id = ?, answered_at = ? WHERE id = ? AND state IN ('planned','written')
                """, status == 2 ? "rejected" : "delivered", status, errorCode, errorText, appRecMessageId, nowMillis,
                routedId) == 1
        }
    }

    /// Counts for `pathway-gateway status`.
    func summary() throws -> Summary {
        try db.transaction(readOnly: true) {
            var counts = Dictionary(uniqueKeysWithValues: Decision.Outcome.allCases.map { ($0, 0) })
            for (outcome, count) in try db.query(
                "SELECT outcome, count(*) FROM messages WHERE outcome IS NOT NULL GROUP BY outcome",
                row: {
                    row in (try row.string(0), try row.int(1))
                })
            { if let o = Decision.Outcome(rawValue: outcome) { counts[o] = count } }
            let backlog = try db.query("SELECT count(*) FROM messages WHERE state <> 'done'") { row in try row.int(0) }
            let rejections = try db.query("SELECT count(*) FROM routed WHERE state = 'rejected'") { row in
                try row.int(0)
            }
            let last = try db.query(
                "SELECT max(max(claimed_at), coalesce(max(decided_at), 0), coalesce(max(done_at), 0)) FROM messages"
            ) {
                row in try row.optionalInt64(0)
            }
            return Summary(
                counts: counts, backlog: backlog.first ?? 0, receiverRejections: rejections.first ?? 0,
                lastActivity: (last.first ?? nil).map { Date(timeIntervalSince1970: Double($0) / 1000) })
        }
    }

    private func state(of id: String) throws -> State? {
        try db.query("SELECT state FROM messages WHERE id = ?", [id]) { row in
            State(rawValue: try row.string(0))
        }.first ?? nil
    }
}
