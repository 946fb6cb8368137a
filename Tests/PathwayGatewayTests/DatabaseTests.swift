import Foundation
import Testing
@testable import PathwayGateway

/// A unique directory under the system temp dir, removed when the test's scope ends.
final class DatabaseTestDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pgw-db-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

private func mode(of path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

@Suite struct SQLiteDatabaseTests {
    @Test func opensInWALWithFullSyncAndForeignKeys() throws {
        let dir = try DatabaseTestDirectory()
        let db = try SQLiteDatabase(path: dir.path("state.db"))
        #expect(try db.pragma("journal_mode") == "wal")
        #expect(try db.pragma("synchronous") == "2")
        #expect(try db.pragma("foreign_keys") == "1")
    }

    @Test func fileIsCreatedOwnerOnly() throws {
        let dir = try DatabaseTestDirectory()
        let path = dir.path("state.db")
        let db = try SQLiteDatabase(path: path)
        try db.execute("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        #expect(try mode(of: path) == 0o600)
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(try mode(of: path + "-wal") == 0o600)
    }

    @Test func migrationsSetUserVersionAndRefuseNewerFiles() throws {
        let dir = try DatabaseTestDirectory()
        let path = dir.path("state.db")
        let v1 = SQLiteDatabase.Migration(version: 1, sql: "CREATE TABLE a (x INTEGER)")
        let v2 = SQLiteDatabase.Migration(version: 2, sql: "CREATE TABLE b (y TEXT)")
        let db = try SQLiteDatabase(path: path)
        #expect(try db.userVersion() == 0)
        #expect(try db.migrate([v1]) == (0, 1))
        #expect(try db.migrate([v1, v2]) == (1, 2))
        #expect(try db.migrate([v1, v2]) == (2, 2))
        #expect(try db.userVersion() == 2)
        try db.run("INSERT INTO b VALUES ('ok')")
        #expect(throws: SQLiteError.schemaTooNew(path: path, found: 2, supported: 1)) { try db.migrate([v1]) }
        #expect(throws: SQLiteError.self) { try db.migrate([v2]) }
    }

    @Test func transactionRollsBackWhenBodyThrows() throws {
        struct Boom: Error {}
        let dir = try DatabaseTestDirectory()
        let db = try SQLiteDatabase(path: dir.path("t.db"))
        try db.execute("CREATE TABLE t (x INTEGER)")
        #expect(throws: Boom.self) {
            try db.transaction { try db.run("INSERT INTO t VALUES (1)"); throw Boom() }
        }
        #expect(try db.query("SELECT count(*) FROM t") { try $0.int(0) } == [0])
        try db.transaction { try db.run("INSERT INTO t VALUES (2)") }
        #expect(try db.query("SELECT x FROM t") { try $0.int(0) } == [2])
    }

    /// A transaction inside another is a savepoint: its failure undoes only its own rows, and the
    /// outer commit keeps the rest.
    @Test func nestedTransactionIsASavepoint() throws {
        struct Boom: Error {}
        let dir = try DatabaseTestDirectory()
        let db = try SQLiteDatabase(path: dir.path("t.db"))
        try db.execute("CREATE TABLE t (x INTEGER)")
        try db.transaction {
            try db.run("INSERT INTO t VALUES (1)")
            #expect(throws: Boom.self) { try db.transaction { try db.run("INSERT INTO t VALUES (2)"); throw Boom() } }
            try db.transaction { try db.run("INSERT INTO t VALUES (3)") }
        }
        #expect(try db.query("SELECT x FROM t ORDER BY x") { try $0.int(0) } == [1, 3])
    }

    /// Inside `joiningNested`, nested transactions join the enclosing unit (no savepoint of their
    /// own): an explicit `savepoint` is undone whole, including what the calls nested in it wrote,
    /// and the joined work outside it stays.
    @Test func joinedTransactionsShareTheEnclosingSavepoint() throws {
        struct Boom: Error {}
        let dir = try DatabaseTestDirectory()
        let db = try SQLiteDatabase(path: dir.path("t.db"))
        try db.execute("CREATE TABLE t (x INTEGER)")
        var failures = 0
        try db.transaction {
            try db.joiningNested {
                try db.transaction { _ = try db.run("INSERT INTO t VALUES (1)") }
                do {
                    try db.savepoint {
                        try db.transaction { _ = try db.run("INSERT INTO t VALUES (2)") }
                        try db.transaction { _ = try db.run("INSERT INTO t VALUES (3)"); throw Boom() }
                    }
                } catch is Boom { failures += 1 }
                try db.savepoint { try db.transaction { _ = try db.run("INSERT INTO t VALUES (4)") } }
                // Joined: no savepoint undoes a failed nested call's rows (why nothing may go on after one).
                do { try db.transaction { _ = try db.run("INSERT INTO t VALUES (6)"); throw Boom() } } catch is Boom { failures += 1 }
            }
            // Outside `joiningNested` a nested transaction is a savepoint again.
            do { try db.transaction { _ = try db.run("INSERT INTO t VALUES (5)"); throw Boom() } } catch is Boom { failures += 1 }
        }
        #expect(failures == 3)
        #expect(try db.query("SELECT x FROM t ORDER BY x") { try $0.int(0) } == [1, 4, 6])
    }

    /// The lock must cover whole transactions: concurrent read-modify-write loses no increment.
    @Test func concurrentTransactionsAreSerialised() async throws {
        let dir = try DatabaseTestDirectory()
        let db = try SQLiteDatabase(path: dir.path("t.db"))
        try db.execute("CREATE TABLE c (n INTEGER NOT NULL); INSERT INTO c VALUES (0);")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<25 {
                        try db.transaction {
                            let n = try db.query("SELECT n FROM c") { try $0.int64(0) }[0]
                            try db.run("UPDATE c SET n = ?", n + 1)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try db.query("SELECT n FROM c") { try $0.int(0) } == [200])
    }

    @Test func typedValuesRoundTrip() throws {
        let dir = try DatabaseTestDirectory()
        let db = try SQLiteDatabase(path: dir.path("t.db"))
        try db.execute("CREATE TABLE t (s TEXT, i INTEGER, d REAL, b BLOB, e BLOB, n TEXT)")
        let blob: [UInt8] = [0, 255, 10, 13, 0]
        try db.run("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", "Ålesund ✓", Int64.max, 2.5, Data(blob), [UInt8](), String?.none)
        let row = try db.query("SELECT s, i, d, b, e, n FROM t") { r in
            (try r.string(0), try r.int64(1), try r.double(2), try r.bytes(3), try r.bytes(4), try r.optionalString(5))
        }.first
        #expect(row?.0 == "Ålesund ✓")
        #expect(row?.1 == Int64.max)
        #expect(row?.2 == 2.5)
        #expect(row?.3 == blob)
        #expect(row?.4 == [])
        #expect(row?.5 == nil)
        #expect(throws: SQLiteError.columnType(sql: "SELECT s FROM t", column: 0, expected: "INTEGER", found: "TEXT")) {
            try db.query("SELECT s FROM t") { try $0.int64(0) }
        }
    }

    @Test func errorsCarryCodeMessageAndSQL() throws {
        let dir = try DatabaseTestDirectory()
        let db = try SQLiteDatabase(path: dir.path("t.db"))
        try db.execute("CREATE TABLE t (x TEXT UNIQUE)")
        let prepareError = #expect(throws: SQLiteError.self) { try db.query("SELEC nonsense") { _ in 0 } }
        guard case let .prepare(sql, _, message)? = prepareError else { Issue.record("wrong case \(String(describing: prepareError))"); return }
        #expect(sql == "SELEC nonsense")
        #expect(message.contains("syntax error"))
        try db.run("INSERT INTO t VALUES ('a')")
        let stepError = #expect(throws: SQLiteError.self) { try db.run("INSERT INTO t VALUES (?)", "a") }
        guard case let .step(stepSQL, code, _)? = stepError else { Issue.record("wrong case \(String(describing: stepError))"); return }
        #expect(stepSQL == "INSERT INTO t VALUES (?)")
        #expect(code == 2067)  // SQLITE_CONSTRAINT_UNIQUE: the extended code, not plain 19
        #expect(stepError?.description.contains("SQLITE_CONSTRAINT_UNIQUE") == true)
    }
}

@Suite struct MessageStoreDatabaseTests {
    static let shaA = String(repeating: "a", count: 64)
    static let shaB = String(repeating: "b", count: 64)
    /// Deliberately not valid UTF-8 and with NULs: stored bytes must come back untouched.
    static let appRecBytes: [UInt8] = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><AppRec>".utf8) + [0xE5, 0x00, 0xFF] + Array("</AppRec>".utf8)

    static func acceptedDecision() -> Decision {
        Decision(
            outcome: .accepted, senderHerId: "8150010", msgId: "m-1", msgType: "DIALOG_HELSEFAGLIG", registersKey: true,
            appRec: .init(receiptId: "r-1", status: 1, bytes: appRecBytes, path: "outbound/helse-bergen/r-1.xml"),
            routed: [.init(routedMsgId: "m-1", targetPartner: "bergen-kommune", targetHerId: "8150101",
                           path: "outbound/bergen-kommune/m-1.xml", bytes: Array("<MsgHead/>".utf8))],
            destination: "archive/helse-bergen/in.xml")
    }

    @Test func schemaIsVersionOne() throws {
        let dir = try DatabaseTestDirectory()
        let store = try MessageStore(path: dir.path("state.db"))
        #expect(try store.db.userVersion() == MessageStore.schemaVersion)
        #expect(try mode(of: dir.path("state.db")) == 0o600)
    }

    @Test func claimResumesUnfinishedClaimAndRejectsReplacedContent() throws {
        let dir = try DatabaseTestDirectory()
        let store = try MessageStore(path: dir.path("state.db"))
        let first = try store.claim(partnerId: "helse-bergen", fileName: "in.xml", sha256: Self.shaA)
        #expect(!first.resumed)
        let again = try store.claim(partnerId: "helse-bergen", fileName: "in.xml", sha256: Self.shaA)
        #expect(again == MessageStore.Claim(messageId: first.messageId, state: .claimed, resumed: true))
        #expect(throws: MessageStore.Failure.claimConflict(partnerId: "helse-bergen", fileName: "in.xml",
                                                           claimedSHA256: Self.shaA, newSHA256: Self.shaB)) {
            try store.claim(partnerId: "helse-bergen", fileName: "in.xml", sha256: Self.shaB)
        }
        try store.recordDecision(messageId: first.messageId, .init(outcome: .quarantined, errorCode: "T01"))
        try store.markDone(messageId: first.messageId)
        // Once done, the same name again is a new arrival (a retransmission).
        let later = try store.claim(partnerId: "helse-bergen", fileName: "in.xml", sha256: Self.shaA)
        #expect(!later.resumed && later.messageId != first.messageId)
    }

    @Test func duplicateLookupFindsFirstMessageWithItsAppRec() throws {
        let dir = try DatabaseTestDirectory()
        let store = try MessageStore(path: dir.path("state.db"))
        #expect(try store.findFirst(senderHerId: "8150010", msgId: "m-1") == nil)
        let first = try store.claim(partnerId: "helse-bergen", fileName: "in.xml", sha256: Self.shaA)
        #expect(try store.recordDecision(messageId: first.messageId, Self.acceptedDecision()))
        let found = try #require(try store.findFirst(senderHerId: "8150010", msgId: "m-1"))
        #expect(found.messageId == first.messageId)
        #expect(found.sha256 == Self.shaA)
        #expect(found.outcome == .accepted)
        #expect(found.appRec?.bytes == Self.appRecBytes)
        #expect(found.appRec?.receiptId == "r-1")

        // The duplicate gets its own row pointing at the first; the key stays with the first.
        let dup = try store.claim(partnerId: "helse-bergen", fileName: "in-again.xml", sha256: Self.shaA)
        try store.recordDecision(messageId: dup.messageId, .init(
            outcome: .duplicate, senderHerId: "8150010", msgId: "m-1", duplicateOf: found.messageId,
            appRec: found.appRec.map { var a = $0; a.path = "outbound/helse-bergen/r-1-again.xml"; return a }))
        #expect(try store.findFirst(senderHerId: "8150010", msgId: "m-1")?.messageId == first.messageId)
        let pending = try store.pendingWork().first { $0.messageId == dup.messageId }
        #expect(pending?.outputs.map(\.bytes) == [Self.appRecBytes])

        // Registering the same key again is refused with the owner named.
        let third = try store.claim(partnerId: "helse-bergen", fileName: "third.xml", sha256: Self.shaB)
        #expect(throws: MessageStore.Failure.keyAlreadyRegistered(senderHerId: "8150010", msgId: "m-1", firstMessageId: first.messageId)) {
            try store.recordDecision(messageId: third.messageId, Self.acceptedDecision())
        }
        // …and that failed transaction left the message undecided.
        #expect(try store.pendingWork().first { $0.messageId == third.messageId }?.state == .claimed)
    }

    /// The daemon plans the next batch on a reader while the writer's batch transaction is open:
    /// the reader must neither wait for that transaction (it would on the writer's connection,
    /// whose lock the transaction holds) nor see its uncommitted rows.
    @Test func readerSeesCommittedStateWhileTheWriterIsInATransaction() throws {
        let dir = try DatabaseTestDirectory()
        let store = try MessageStore(path: dir.path("state.db"))
        let reader = try store.reader()
        let first = try store.claim(partnerId: "helse-bergen", fileName: "in.xml", sha256: Self.shaA)
        try store.batch {
            try store.recordDecision(messageId: first.messageId, Self.acceptedDecision())
            #expect(try store.findFirst(senderHerId: "8150010", msgId: "m-1")?.messageId == first.messageId)
            let lookup = BackgroundWork { try reader.findFirst(senderHerId: "8150010", msgId: "m-1") }
            #expect(try lookup.wait() == nil)  // answered while the transaction is still open
        }
        #expect(try reader.findFirst(senderHerId: "8150010", msgId: "m-1")?.messageId == first.messageId)
    }

    @Test func decisionPendingWorkAndWrittenRoundTrip() throws {
        let dir = try DatabaseTestDirectory()
        let store = try MessageStore(path: dir.path("state.db"))
        let claim = try store.claim(partnerId: "helse-bergen", fileName: "in.xml", sha256: Self.shaA)
        #expect(try store.recordDecision(messageId: claim.messageId, Self.acceptedDecision()))
        #expect(try !store.recordDecision(messageId: claim.messageId, .init(outcome: .rejected, errorCode: "T02")))

        let pending = try #require(try store.pendingWork().first)
        #expect(pending.state == .decided)
        #expect(pending.destination == "archive/helse-bergen/in.xml")
        #expect(Set(pending.outputs.map(\.path)) == ["outbound/helse-bergen/r-1.xml", "outbound/bergen-kommune/m-1.xml"])
        #expect(throws: MessageStore.Failure.self) { try store.markDone(messageId: claim.messageId) }

        #expect(try store.markOutputsWritten(messageId: claim.messageId, paths: ["outbound/bergen-kommune/m-1.xml"]) == 1)
        #expect(try store.pendingWork().first?.outputs.map(\.path) == ["outbound/helse-bergen/r-1.xml"])
        #expect(try store.matchAppRec(originalMsgId: "m-1")?.state == .written)
        #expect(try store.markOutputsWritten(messageId: claim.messageId) == 1)
        #expect(try store.markOutputsWritten(messageId: claim.messageId) == 0)  // idempotent
        #expect(try store.pendingWork().first?.outputs == [])
        try store.markDone(messageId: claim.messageId)
        try store.markDone(messageId: claim.messageId)
        #expect(try store.pendingWork().isEmpty)
    }

    @Test func receiverAppRecIsMatchedAndFirstAnswerStands() throws {
        let dir = try DatabaseTestDirectory()
        let store = try MessageStore(path: dir.path("state.db"))
        let claim = try store.claim(partnerId: "helse-bergen", fileName: "in.xml", sha256: Self.shaA)
        try store.recordDecision(messageId: claim.messageId, Self.acceptedDecision())
        #expect(try store.matchAppRec(originalMsgId: "m-1", fromHerId: "9999999") == nil)
        let routed = try #require(try store.matchAppRec(originalMsgId: "m-1", fromHerId: "8150101"))
        #expect(routed.messageId == claim.messageId && routed.targetPartner == "bergen-kommune")
        #expect(try store.recordReceiverAppRec(routedId: routed.id, status: 2, errorCode: "E21", errorText: "ukjent mottaker"))
        #expect(try !store.recordReceiverAppRec(routedId: routed.id, status: 1))
        let after = try store.matchAppRec(originalMsgId: "m-1")
        #expect(after?.state == .rejected && after?.receiverErrorCode == "E21" && after?.receiverStatus == 2)
        #expect(try store.summary().receiverRejections == 1)
    }

    @Test func reopeningKeepsEverything() throws {
        let dir = try DatabaseTestDirectory()
        let path = dir.path("state.db")
        let fixed = Date(timeIntervalSince1970: 1_767_225_600.123)
        var messageId = ""
        do {
            let store = try MessageStore(path: path, now: { fixed })
            messageId = try store.claim(partnerId: "helse-bergen", fileName: "in.xml", sha256: Self.shaA).messageId
            try store.recordDecision(messageId: messageId, Self.acceptedDecision())
            try store.markOutputsWritten(messageId: messageId, paths: ["outbound/helse-bergen/r-1.xml"])
        }
        let reopened = try MessageStore(path: path)
        #expect(try reopened.findFirst(senderHerId: "8150010", msgId: "m-1")?.appRec?.bytes == Self.appRecBytes)
        #expect(try reopened.pendingWork().map(\.messageId) == [messageId])
        #expect(try reopened.pendingWork().first?.outputs.map(\.bytes) == [Array("<MsgHead/>".utf8)])
        let summary = try reopened.summary()
        #expect(summary.counts[.accepted] == 1 && summary.counts[.rejected] == 0)
        #expect(summary.backlog == 1)
        #expect(summary.lastActivity == Date(timeIntervalSince1970: 1_767_225_600.123))
    }
}
