import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension SpoolWorker {
    /// Carries out recorded decisions: gives every staged output its final name and moves each
    /// original to its destination, with one filesystem sync for the whole batch. Routed messages
    /// and notices get their names before the AppRecs, and a partner may see an AppRec before that
    /// sync: what the AppRec confirms is already durable (the decision is committed and the
    /// routed copy's bytes were synced before it), so a crash only leaves names for recovery to
    /// give again; nothing it confirms can be lost.
    /// Safe to repeat after a crash at any point: a staged file already renamed counts as written,
    /// identical existing files count as written, and a completed move is recognised. Intents
    /// recorded with their bytes (no staged file) are staged here first. The final names are not
    /// yet durable: the caller syncs (the batch pipeline while the next batch is recorded).
    func giveFinalNames(_ works: [MessageStore.PendingWork]) throws {
        guard !works.isEmpty else { return }
        var staged: [(output: PlannedOutput, temp: String)] = []
        for output in works.flatMap(\.outputs) {
            let (mode, group) = spool.access.output(at: output.path)
            let temp =
                try output.staged.map(spool.absolute)
                ?? DurableFile.stage(
                    output.bytes, for: spool.absolute(output.path), in: spool.staging, mode: mode, group: group,
                    sync: false)
            staged.append((output, temp))
        }
        if works.contains(where: { $0.outputs.contains { $0.staged == nil } }) { try syncSpool() }
        // One thread: renames across directories take the filesystem's rename lock, so parallel
        // renames only spin on each other (perf: mutex_spin_on_owner under renameat2).
        let effects = staged.filter { $0.output.kind != .apprec }
        for i in effects.indices { try publish(effects[i].temp, as: effects[i].output.path) }
        for kind in [PlannedOutput.Kind.routed, .notice] where effects.contains(where: { $0.output.kind == kind }) {
            CrashPoint.hit("\(kind.rawValue)-written")
        }
        let receipts = staged.filter { $0.output.kind == .apprec }
        for i in receipts.indices { try publish(receipts[i].temp, as: receipts[i].output.path) }
        if !receipts.isEmpty { CrashPoint.hit("apprec-written") }
        let moves = works.filter { $0.destination != nil }
        for i in moves.indices { try moveOriginal(moves[i]) }
    }

    /// `giveFinalNames`, then the sync that makes them durable.
    func publishDurably(_ works: [MessageStore.PendingWork]) throws {
        guard !works.isEmpty else { return }
        try giveFinalNames(works)
        try syncSpool()
        CrashPoint.hit("archived")
    }

    /// Moves a processed original from `processing/` to its archive or quarantine name.
    /// The destination carries the message's id, so only its own original can be there: when it
    /// is, an earlier run moved it, and a file now under the old name in `processing/` is a newer
    /// one (a sender reusing the name, claimed by the next batch) that is left for its own turn.
    private func moveOriginal(_ work: MessageStore.PendingWork) throws {
        guard let destination = work.destination else { return }
        let source = "\(spool.processing(work.partnerId))/\(work.fileName)"
        do {
            try DurableFile.move(from: source, to: spool.absolute(destination))
        } catch .existsWithDifferentContent {
            return
        } catch {
            // A directory or FIFO named *.xml cannot be hard-linked; a plain rename still
            // takes it out of the way (nothing reads it afterwards).
            guard rename(source, spool.absolute(destination)) == 0 else { throw error }
        }
    }

    /// `DurableFile.publish`; a destination on another mount than `state/staging/` (EXDEV: a
    /// directory bind-mounted on its own) gets a durable copy written next to it instead.
    /// A staged file is durable before any decision names it and only publishing removes it, so
    /// when it is gone an earlier run published it: a final name missing too means the partner
    /// has already taken the file (a crash came between the batch's sync and its closing).
    /// `path`: the output's spool-relative final name.
    private func publish(_ temp: String, as path: String) throws {
        let final = spool.absolute(path)
        do {
            try DurableFile.publish(temp, as: final)
        } catch .system(_, _, EXDEV) {
            let (mode, group) = spool.access.output(at: path)
            try DurableFile.write(FileReader.read(temp, limit: .max), to: final, mode: mode, group: group)
            unlink(temp)
        } catch .system("rename", _, ENOENT) where access(temp, F_OK) != 0 {
            return
        }
    }

    /// One `syncfs` for everything written on the spool's filesystem (see `DurableFile.syncFileSystem`).
    func syncSpool() throws {
        let started = DispatchTime.now().uptimeNanoseconds
        try DurableFile.syncFileSystem(containing: spool.root)
        lastSyncStarted.withLock { $0 = max($0, started) }
    }

    /// Syncs unless a sync that started after `written` has already returned: `syncfs` makes
    /// everything written before it was called durable, so a batch prepared while the previous
    /// batch was being committed usually needs no sync of its own.
    func syncSpool(unlessCoveringWritesBefore written: UInt64) throws {
        if lastSyncStarted.withLock({ $0 }) > written { return }
        try syncSpool()
    }
}
