import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the spool directories hold right now, per partner: the file-system half of `status` and of
/// the metrics gauges (the database half is `OperationsQueries`). Reads directory entries and
/// `lstat`s only; never opens a message, so it costs the same whatever the files contain.
struct SpoolSurvey: Sendable, Equatable, Encodable {
    struct Inbox: Sendable, Equatable, Encodable {
        var partner: String
        /// `*.xml` files waiting in `inbound/<partner>/` (what the daemon would take).
        var waiting: Int
        /// Seconds since the oldest waiting file arrived (its ctime, set by the rename into the
        /// inbox; not its mtime, which the partner sets as it likes); nil when none waits.
        var oldestAgeSeconds: Double?
        /// Files claimed and being worked on (`state/processing/<partner>/`).
        var processing: Int
        /// Seconds since the oldest of them was claimed (its ctime: the claim's rename); a batch
        /// takes a second, so minutes here mean batches keep failing.
        var oldestProcessingAgeSeconds: Double?
        /// Files in `outbound/<partner>/` the partner has not picked up yet.
        var outbound: Int
        /// Quarantined originals (reason files not counted).
        var quarantined: Int
    }

    var inboxes: [Inbox]
    /// What keeps files waiting, as the daemon last reported it (`IntakeHealth`): inboxes or files
    /// it may not read, claims that fail, inboxes of partners no longer configured.
    var intakeProblems: [IntakeHealth.Problem] = []

    var waiting: Int { inboxes.reduce(0) { $0 + $1.waiting } }
    var quarantined: Int { inboxes.reduce(0) { $0 + $1.quarantined } }
    var oldestAgeSeconds: Double? { inboxes.compactMap(\.oldestAgeSeconds).max() }
    var oldestProcessingAgeSeconds: Double? { inboxes.compactMap(\.oldestProcessingAgeSeconds).max() }

    /// Surveys every configured partner's directories; missing directories count as empty.
    static func take(spool: Spool, partners: [Partner], now: Date = Date()) -> SpoolSurvey {
        SpoolSurvey(
            inboxes: inboxes(spool: spool, partners: partners, now: now),
            intakeProblems: IntakeHealth.read(reportAt: spool.intakeReport))
    }

    private static func inboxes(spool: Spool, partners: [Partner], now: Date) -> [Inbox] {
        partners.map { partner in
            let inbound = spool.inbound(partner.id)
            let waiting = Spool.candidates(in: inbound)
            let oldest = waiting.compactMap { changeTime("\(inbound)/\($0)") }.min()
            let processing = spool.processing(partner.id)
            let claimed = Spool.candidates(in: processing)
            let oldestClaim = claimed.compactMap { changeTime("\(processing)/\($0)") }.min()
            return Inbox(
                partner: partner.id, waiting: waiting.count,
                oldestAgeSeconds: oldest.map { max(0, now.timeIntervalSince1970 - $0) },
                processing: claimed.count,
                oldestProcessingAgeSeconds: oldestClaim.map { max(0, now.timeIntervalSince1970 - $0) },
                outbound: visibleNames(spool.outbound(partner.id)).count,
                quarantined: visibleNames(spool.quarantine(partner.id)).filter { !isReasonFile($0) }.count)
        }
    }

    /// A quarantined original's companion: `<original>.reason.txt`.
    static func isReasonFile(_ name: String) -> Bool { name.hasSuffix(".reason.txt") }

    /// Final names in `dir` (temporary `.…` names are work in progress, not files).
    static func visibleNames(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }
    }

    /// Seconds since 1970 of the file's ctime (a rename sets it; nobody can set it back), nil when
    /// it vanished meanwhile (taken by the daemon).
    static func changeTime(_ path: String) -> Double? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Double(info.st_ctim.tv_sec) + Double(info.st_ctim.tv_nsec) / 1e9
    }
}
