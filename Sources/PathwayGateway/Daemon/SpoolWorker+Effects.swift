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

    /// Publishes recorded decisions and closes them. When the batch as a whole fails, each message
    /// is tried alone, so a fault in one directory (a municipality's share turned unwritable) holds
    /// back only the messages that need it: they stay decided — parked, their files claimed — and
    /// `retryParked` finishes them once it clears; the others are delivered now. Throws only when
    /// nothing could be finished and no directory accounts for it (then the caller backs off).
    func finish(_ works: [MessageStore.PendingWork]) throws {
        var pending = works
        var failedDirectories: Set<String> = []
        var parked: [String] = []
        var unexplained = false  // a failure no directory accounts for
        var cause: (any Error)?
        while !pending.isEmpty {
            do {
                try publish(pending)
                try store.markDone(messageIds: pending.map(\.messageId))
                break
            } catch {
                cause = cause ?? error
                guard let directory = Self.failedDirectory(error), !failedDirectories.contains(directory) else {
                    // No directory to blame: try each message alone.
                    unexplained = true
                    for work in pending {
                        do { try publish([work]); try store.markDone(messageIds: [work.messageId]) } catch { parked.append(work.messageId) }
                    }
                    break
                }
                // The rest go on together without the messages that need the failed directory.
                failedDirectories.insert(directory)
                let blocked = pending.filter { !failedDirectories.isDisjoint(with: directories(of: $0)) }
                parked += blocked.map(\.messageId)
                pending.removeAll { !failedDirectories.isDisjoint(with: directories(of: $0)) }
            }
        }
        guard let cause, !parked.isEmpty else { return }
        guard parked.count < works.count || !unexplained else { throw cause }
        // Their records are in the log (appended before any publish); held back for long, they
        // leave its tail, so recovery must not take them for missing.
        try store.dropAuditFacts(messageIds: parked)
        parkedFailure.withLock { $0 = ParkedMessages(count: parked.count, cause: cause) }
    }

    /// The directory a failed write names, if the error names one.
    private static func failedDirectory(_ error: any Error) -> String? {
        guard case let .system(_, path, _)? = error as? DurableFile.Failure else { return nil }
        return DurableFile.parent(of: path)
    }

    /// Finishes decisions parked by a fault; returns how many are still parked.
    public func retryParked() throws -> Int {
        let parked = try store.pendingWork().filter { $0.state == .decided }
        guard !parked.isEmpty else { return 0 }
        try finish(parked)
        return try store.pendingWork().filter { $0.state == .decided }.count
    }

    /// The fault that parked messages since the last call, if any (for the log and the backoff).
    public func takeParkedFailure() -> ParkedMessages? { parkedFailure.withLock { value in defer { value = nil }; return value } }

    /// Messages held back by a fault in a directory only they need: decided and waiting for their
    /// outputs (`publish`), or not even claimed from their inbox (`claim`).
    public struct ParkedMessages: Error, CustomStringConvertible {
        public enum Stage: Sendable { case claim, publish }
        public var count: Int
        public var cause: any Error
        public var stage: Stage = .publish
        public var description: String {
            switch stage {
            case .publish: "\(count) message(s) held back until this clears (the others go on): \(cause)"
            case .claim: "\(count) file(s) cannot be taken from their inbox, left there (the others go on): \(cause)"
            }
        }
    }

    /// Every directory a decision writes into.
    private func directories(of work: MessageStore.PendingWork) -> Set<String> {
        Set((work.outputs.map(\.path) + [work.destination].compactMap { $0 }).map { DurableFile.parent(of: spool.absolute($0)) })
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

    /// `DurableFile.publish`, and also done when an earlier run already linked the temp file (it is
    /// gone and the final name holds it). A destination on another mount than `state/staging/`
    /// (EXDEV: a directory bind-mounted on its own) gets a durable copy written next to it instead.
    private static func publish(_ temp: String, as final: String) throws {
        do {
            try DurableFile.publish(temp, as: final)
        } catch .system("link", _, EXDEV) {
            try DurableFile.write(FileReader.read(temp, limit: .max), to: final)
            unlink(temp)
        } catch {
            guard case .system("link", _, ENOENT) = error, access(temp, F_OK) != 0, access(final, F_OK) == 0 else { throw error }
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
