import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

extension SpoolWorker {
    /// Carries out recorded decisions: gives every staged output its final name and moves each
    /// original to its destination, with two filesystem syncs for the whole batch:
    /// 1. routed messages and notices get their final names, sync — so no AppRec is ever visible
    ///    before the messages it confirms are durable;
    /// 2. AppRecs get theirs and the originals move out of `processing/`, sync.
    /// Safe to repeat after a crash at any point: a staged file already linked counts as written,
    /// identical existing files count as written, and a completed move is recognised. Intents
    /// recorded with their bytes (no staged file) are staged here first.
    func publish(_ works: [MessageStore.PendingWork]) throws {
        guard !works.isEmpty else { return }
        var staged: [(output: MessageStore.PlannedOutput, temp: String)] = []
        for output in works.flatMap(\.outputs) {
            let temp = try output.staged.map(spool.absolute) ?? DurableFile.stage(output.bytes, for: spool.absolute(output.path), in: spool.staging, sync: false)
            staged.append((output, temp))
        }
        if works.contains(where: { $0.outputs.contains { $0.staged == nil } }) { try syncSpool() }
        // Links of different files are independent: the worker threads share the kernel's work.
        let effects = staged.filter { $0.output.kind != .apprec }
        try concurrently(effects.count) { try Self.publish(effects[$0].temp, as: spool.absolute(effects[$0].output.path)) }
        try syncSpool()
        for kind in [MessageStore.OutputKind.routed, .notice] where effects.contains(where: { $0.output.kind == kind }) {
            CrashPoint.hit("\(kind.rawValue)-written")
        }
        let receipts = staged.filter { $0.output.kind == .apprec }
        try concurrently(receipts.count) { try Self.publish(receipts[$0].temp, as: spool.absolute(receipts[$0].output.path)) }
        let moves = works.filter { $0.destination != nil }
        try concurrently(moves.count) { try moveOriginal(moves[$0]) }
        try syncSpool()
        if !receipts.isEmpty { CrashPoint.hit("apprec-written") }
        CrashPoint.hit("archived")
    }

    /// Moves a processed original from `processing/` to its archive or quarantine name.
    private func moveOriginal(_ work: MessageStore.PendingWork) throws {
        guard let destination = work.destination else { return }
        let source = "\(spool.processing(work.partnerId))/\(work.fileName)"
        do {
            try DurableFile.move(from: source, to: spool.absolute(destination))
        } catch {
            // A directory or FIFO named *.xml cannot be hard-linked; a plain rename still
            // takes it out of the way (nothing reads it afterwards).
            guard rename(source, spool.absolute(destination)) == 0 else { throw error }
        }
    }

    /// `DurableFile.publish`; a destination on another mount than `state/staging/` (EXDEV: a
    /// directory bind-mounted on its own) gets a durable copy written next to it instead.
    private static func publish(_ temp: String, as final: String) throws {
        do {
            try DurableFile.publish(temp, as: final)
        } catch .system(_, _, EXDEV) {
            try DurableFile.write(FileReader.read(temp, limit: .max), to: final)
            unlink(temp)
        }
    }

    /// Runs `body` for 0..<count on the worker threads; rethrows the first failure.
    func concurrently(_ count: Int, _ body: @Sendable (Int) throws -> Void) throws {
        guard count > 0 else { return }
        let failure = Mutex<(any Error)?>(nil)
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: min(workers, count)) { _ in
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < count, failure.withLock({ $0 == nil }) else { return }
                do { try body(index) } catch { failure.withLock { $0 = $0 ?? error } }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// One `syncfs` for everything written on the spool's filesystem (see `DurableFile.syncFileSystem`).
    func syncSpool() throws { try DurableFile.syncFileSystem(containing: spool.root) }
}
