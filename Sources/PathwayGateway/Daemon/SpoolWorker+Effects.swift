import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension SpoolWorker {
    /// Carries out recorded decisions: gives every staged output its final name and moves each
    /// original to its destination, with three filesystem syncs for the whole batch. Order, each
    /// step durable before the next starts:
    /// 1. routed messages and notices get their final names, sync;
    /// 2. AppRecs get theirs, sync — no AppRec is visible before the messages it confirms are durable;
    /// 3. originals move out of `processing/`, sync.
    /// Safe to repeat after a crash at any point: a staged file already linked counts as written,
    /// identical existing files count as written, and a completed move is recognised. Intents
    /// recorded with their bytes (no staged file) are staged here first.
    func publish(_ works: [MessageStore.PendingWork]) throws {
        guard !works.isEmpty else { return }
        var staged: [(output: MessageStore.PlannedOutput, temp: String)] = []
        for output in works.flatMap(\.outputs) {
            let temp = try output.staged.map(spool.absolute) ?? DurableFile.stage(output.bytes, for: spool.absolute(output.path), sync: false)
            staged.append((output, temp))
        }
        if works.contains(where: { $0.outputs.contains { $0.staged == nil } }) { try syncSpool() }
        for kinds in [[MessageStore.OutputKind.routed, .notice], [.apprec]] {
            var published = Set<MessageStore.OutputKind>()
            for item in staged where kinds.contains(item.output.kind) {
                let final = spool.absolute(item.output.path)
                // The temp is gone only once an earlier run linked it: the final name holds it.
                if access(item.temp, F_OK) != 0, access(final, F_OK) == 0 { continue }
                try DurableFile.publish(item.temp, as: final)
                published.insert(item.output.kind)
            }
            try syncSpool()
            for kind in kinds where published.contains(kind) { CrashPoint.hit("\(kind.rawValue)-written") }
        }
        for work in works {
            guard let destination = work.destination else { continue }
            let source = "\(spool.processing(work.partnerId))/\(work.fileName)"
            do {
                try DurableFile.move(from: source, to: spool.absolute(destination))
            } catch {
                // A directory or FIFO named *.xml cannot be hard-linked; a plain rename still
                // takes it out of the way (nothing reads it afterwards).
                guard rename(source, spool.absolute(destination)) == 0 else { throw error }
            }
        }
        try syncSpool()
        CrashPoint.hit("archived")
    }

    /// One `syncfs` for everything written on the spool's filesystem (see `DurableFile.syncFileSystem`).
    func syncSpool() throws { try DurableFile.syncFileSystem(containing: spool.root) }
}
