import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension SpoolWorker {
    /// Carries out recorded decisions: writes every planned file and moves each original to its
    /// destination, with four filesystem syncs for the whole batch. Order, each step durable
    /// before the next starts:
    /// 1. all outputs staged under hidden temp names (no per-file fsync), then one sync;
    /// 2. routed messages and notices get their final names, sync;
    /// 3. AppRecs get theirs, sync — no AppRec is visible before the messages it confirms are durable;
    /// 4. originals move out of `processing/`, sync.
    /// Safe to repeat after a crash at any point: identical existing files count as written, and a
    /// completed move is recognised.
    func publish(_ works: [MessageStore.PendingWork]) throws {
        guard !works.isEmpty else { return }
        let outputs = works.flatMap(\.outputs)
        var staged: [(output: MessageStore.PlannedOutput, temp: String)] = []
        do {
            for output in outputs {
                staged.append((output, try DurableFile.stage(output.bytes, for: spool.absolute(output.path), sync: false)))
            }
            try sync()
        } catch {
            for item in staged { unlink(item.temp) }
            throw error
        }
        for kinds in [[MessageStore.OutputKind.routed, .notice], [.apprec]] {
            var published = Set<MessageStore.OutputKind>()
            for item in staged where kinds.contains(item.output.kind) {
                try DurableFile.publish(item.temp, as: spool.absolute(item.output.path))
                published.insert(item.output.kind)
            }
            try sync()
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
        try sync()
        CrashPoint.hit("archived")
    }

    private func sync() throws { try DurableFile.syncFileSystem(containing: spool.root) }
}
