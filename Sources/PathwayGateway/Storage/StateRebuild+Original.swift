import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension StateRebuild {
    /// Hands out the ids the pipeline drew for a message, in order (fresh ones once they run out:
    /// the plan then differs from the log and is not used).
    private final class DrawnIds {
        private var ids: ArraySlice<String>
        init(_ ids: [String]) { self.ids = ids[...] }
        func next() -> String { ids.popFirst() ?? TimeOrderedID.make() }
    }

    /// The archived original run through the pipeline again, as it was then: same gateway id,
    /// time and drawn ids, duplicates looked up in the database rebuilt so far. Nil (the reason
    /// counted where it matters) when the original is gone or changed, or is decided differently
    /// today. Throws when the patient's pseudonym under this key is not the logged one.
    /// `appRecSent`: the AppRec's bytes came from its outbound file (the original is not needed for them).
    func replan(_ message: LoggedMessage, _ received: AuditRecord, date: Date, appRecSent: Bool) throws
        -> ProcessingPlan?
    {
        let plan: ProcessingPlan
        switch original(message, received) {
        case let .failure(reason):
            unavailable(reason, message, received, appRecSent: appRecSent)
            return nil
        case let .success((partner, bytes)):
            let drawn = DrawnIds(message.drawnIds)
            let input = MessageProcessor.Input(
                partner: partner, fileName: received.file ?? "", messageId: message.id, bytes: bytes,
                sha256: received.sha256 ?? "", now: date, newId: drawn.next)
            let lookups = MessageProcessor.Lookups(firstMessage: store.findFirst, routedMessage: store.matchAppRec)
            guard let made = try? processor.plan(input, lookups: lookups) else {
                unavailable(.decidedDifferently, message, received, appRecSent: appRecSent)
                return nil
            }
            plan = made
        }
        let pseudonym = plan.facts.patientIdent.map(pseudonymizer.pseudonym(for:))
        if checksPseudonyms, let pseudonym, let logged = received.patient, pseudonym != logged {
            throw Failure.keyDoesNotMatchLog(key: spool.pseudonymKey)
        }
        guard plan.decision.outcome.rawValue == received.outcome,
            plan.decision.appRec?.receiptId == message.appRec?.msgId,
            plan.decision.routed.map(\.routedMsgId) == message.routed.compactMap(\.msgId),
            plan.decision.routed.map(\.targetPartner) == message.routed.compactMap(\.partner)
        else {
            unavailable(.decidedDifferently, message, received, appRecSent: appRecSent)
            return nil
        }
        var facts = plan.facts
        facts.gatewayId = message.id
        facts.patientPseudonym = pseudonym
        facts.patientIdent = nil
        return ProcessingPlan(decision: plan.decision, receiverAppRec: plan.receiverAppRec, facts: facts)
    }

    /// The message's original from archive/ or quarantine/, checked against the logged sha256.
    private func original(_ message: LoggedMessage, _ received: AuditRecord) -> Result<(Partner, [UInt8]), Unavailable>
    {
        guard let destination = message.destination,
            let partner = config.partners.first(where: { $0.id == received.partner })
        else {
            return .failure(.noDestination)
        }
        guard let bytes = try? FileReader.read(spool.absolute(destination), limit: processor.validator.limits.maxBytes)
        else {
            return .failure(.gone)
        }
        guard SHA256.hex(bytes) == received.sha256 else { return .failure(.changed) }
        return .success((partner, bytes))
    }

    /// Counts why the original could not serve, for the parts of the message that needed it.
    private func unavailable(_ reason: Unavailable, _ message: LoggedMessage, _ received: AuditRecord, appRecSent: Bool)
    {
        let needed =
            (message.appRec != nil && !appRecSent) || (received.pathwayEvent != nil && received.outcome == "accepted")
            || received.outcome == "apprec-received"
        guard needed else { return }
        report.gap("original not usable: \(reason.rawValue)")
        if received.pathwayEvent != nil, received.outcome == "accepted" {
            report.gap("timeline event (its dates are in the original)")
        }
    }

    // MARK: Files

    /// Removes a database file of our own making (the temporary one) with its -wal and -shm.
    static func removeDatabase(at path: String) throws {
        for suffix in ["", "-wal", "-shm", "-journal"] where unlink(path + suffix) != 0 && errno != ENOENT {
            throw DurableFile.Failure.system(operation: "unlink", path: path + suffix, errno: errno)
        }
    }

    /// Puts the rebuilt database `temp` in place at `path`: the old one (with its -wal and -shm,
    /// which belong to it) is renamed aside first, never removed. Returns where it went.
    static func install(_ temp: String, as path: String) throws -> String? {
        var aside: String?
        if access(path, F_OK) == 0 || access(path + "-wal", F_OK) == 0 {
            let stamp = Timestamp.compactUTC(Date())
            var candidate = "\(path).before-rebuild-\(stamp)"
            var n = 1
            while access(candidate, F_OK) == 0 {
                candidate = "\(path).before-rebuild-\(stamp)-\(n)"
                n += 1
            }
            for suffix in ["", "-wal", "-shm"] where access(path + suffix, F_OK) == 0 {
                guard try DurableFile.renameNoReplace(path + suffix, to: candidate + suffix) else {
                    throw DurableFile.Failure.existsWithDifferentContent(path: candidate + suffix)
                }
            }
            aside = candidate
        }
        try syncFile(temp)
        try removeDatabase(at: temp + "-journal")  // none in WAL mode; never carried along
        for suffix in ["-wal", "-shm"] { _ = unlink(temp + suffix) }  // emptied by the checkpoint
        guard try DurableFile.renameNoReplace(temp, to: path) else {
            throw DurableFile.Failure.existsWithDifferentContent(path: path)
        }
        try DurableFile.fsyncDirectory(DurableFile.parent(of: path))
        return aside
    }

    private static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DurableFile.Failure.system(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw DurableFile.Failure.system(operation: "fsync", path: path, errno: errno) }
    }
}
