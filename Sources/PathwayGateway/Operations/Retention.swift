import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Age-based pruning of the spool and upkeep of the state database, run by the daemon at most once
/// an hour (`OperationsService`) and callable directly with any `now` (tests move the clock).
///
/// What goes, and what must stay (docs/operations.md, "Retention"):
/// - `archive/<partner>/*` older than `archiveDays`, `quarantine/<partner>/*` (with its
///   `.reason.txt`) older than `quarantineDays`. Age is the gateway's own time: the claim time in
///   the gateway id that starts each name (a UUIDv7), else the time the file was moved in (ctime,
///   which nobody can set back). Never the mtime, which the partner that wrote the file controls:
///   a file touched to 2099 would be kept for ever, one touched to 1970 deleted the hour it came.
/// - In the database, the bytes of a done message's outputs (`outputs.bytes`: the routed copy with
///   its attachments, notices) once the message is older than `archiveDays`. They exist only to
///   rewrite files after a crash, and a done message has nothing left to rewrite; keeping them
///   would keep a second copy of the patient's message the archive retention just removed.
/// - Kept forever: `messages` rows and `message_keys` (duplicate detection: a retransmission a year
///   later must still be recognised), and `apprecs.bytes` (a duplicate is answered with the very
///   same AppRec bytes, spec §4.6). These hold no names or identity numbers.
/// - Always: `PRAGMA wal_checkpoint(TRUNCATE)` (the WAL file shrinks back to zero) and
///   `PRAGMA optimize` (refreshes query-planner statistics where they are stale).
public enum Retention {
    public struct Report: Sendable, Equatable {
        var archiveFilesRemoved = 0
        var archiveBytesRemoved: Int64 = 0
        var quarantineFilesRemoved = 0
        var quarantineBytesRemoved: Int64 = 0
        var outputBlobsCleared = 0
        var outputBytesCleared: Int64 = 0
        /// Pages written back by the checkpoint; nil when the database was not maintained.
        var checkpointedPages: Int?
        /// What could not be done (kept going: one unreadable directory must not stop the rest).
        var problems: [String] = []
        init() {}
    }

    /// Rows updated per statement when clearing output bytes: each chunk is its own short write
    /// transaction, so the daemon's writers wait milliseconds, not for the whole sweep.
    static let chunk = 500

    static func run(
        spool: Spool, partners: [Partner], settings: OperationsSettings.Retention,
        database: SQLiteDatabase?, now: Date
    ) -> Report {
        var report = Report()
        if let days = settings.archiveDays {
            let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
            for partner in partners {
                let removed = prune(spool.archive(partner.id), olderThan: cutoff, report: &report)
                report.archiveFilesRemoved += removed.files
                report.archiveBytesRemoved += removed.bytes
            }
            if let database { clearOutputBytes(database, doneBefore: cutoff, report: &report) }
        }
        if let days = settings.quarantineDays {
            let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
            for partner in partners {
                let removed = prune(spool.quarantine(partner.id), olderThan: cutoff, report: &report)
                report.quarantineFilesRemoved += removed.files
                report.quarantineBytesRemoved += removed.bytes
            }
        }
        if let database { maintain(database, report: &report) }
        return report
    }

    /// Removes final-named files older than `cutoff`; a `.reason.txt` goes with its original, or on
    /// its own age once the original is gone. Temporary names (`.…`) are the daemon's and left alone.
    static func prune(_ dir: String, olderThan cutoff: Date, report: inout Report) -> (files: Int, bytes: Int64) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(".") }
        } catch {
            if FileManager.default.fileExists(atPath: dir) { report.problems.append("cannot list \(dir)") }
            return (0, 0)
        }
        let present = Set(names)
        var removed = (files: 0, bytes: Int64(0))
        func remove(_ name: String) {
            let path = "\(dir)/\(name)"
            var info = stat()
            guard lstat(path, &info) == 0 else { return }
            if unlink(path) == 0 {
                removed.files += 1
                removed.bytes += Int64(info.st_size)
            } else {
                report.problems.append("cannot remove \(path): \(String(cString: strerror(errno)))")
            }
        }
        for name in names.sorted() where !SpoolSurvey.isReasonFile(name) {
            guard let age = ageTime(name, in: dir), age < cutoff.timeIntervalSince1970 else { continue }
            remove(name)
            if present.contains(name + ".reason.txt") { remove(name + ".reason.txt") }
        }
        for name in names.sorted() where SpoolSurvey.isReasonFile(name) {
            let original = String(name.dropLast(".reason.txt".count))
            guard !present.contains(original), let age = ageTime(name, in: dir), age < cutoff.timeIntervalSince1970
            else { continue }
            remove(name)
        }
        return removed
    }

    /// When the gateway took the file, in seconds since 1970: its id's time, else its ctime; nil if
    /// the file is gone.
    static func ageTime(_ name: String, in dir: String) -> Double? {
        if let claimed = TimeOrderedID.date(of: Substring(name)) { return claimed.timeIntervalSince1970 }
        return SpoolSurvey.changeTime("\(dir)/\(name)")
    }

    static func clearOutputBytes(_ db: SQLiteDatabase, doneBefore cutoff: Date, report: inout Report) {
        let select = """
            SELECT o.rowid, length(o.bytes) FROM outputs o JOIN messages m ON m.id = o.message_id
            WHERE m.state = 'done' AND m.done_at < ? AND o.written_at IS NOT NULL AND length(o.bytes) > 0 LIMIT \(chunk)
            """
        do {
            while true {
                let cleared: (Int, Int64) = try db.transaction {
                    let rows = try db.query(select, [OperationsQueries.millis(cutoff)]) { row in
                        (try row.int64(0), try row.int64(1))
                    }
                    for (rowid, _) in rows { try db.run("UPDATE outputs SET bytes = x'' WHERE rowid = ?", rowid) }
                    return (rows.count, rows.reduce(0) { $0 + $1.1 })
                }
                report.outputBlobsCleared += cleared.0
                report.outputBytesCleared += cleared.1
                if cleared.0 < chunk { break }
            }
        } catch {
            report.problems.append("clearing output bytes: \(error)")
        }
    }

    static func maintain(_ db: SQLiteDatabase, report: inout Report) {
        do {
            report.checkpointedPages = try db.query("PRAGMA wal_checkpoint(TRUNCATE)") { row in try row.int(2) }.first
            try db.execute("PRAGMA optimize")
        } catch {
            report.problems.append("database maintenance: \(error)")
        }
    }
}
