import Synchronization

/// Messages held back by a fault that only they meet (finding F8): a municipality's outbound
/// directory turned read-only must not stop every other partner's traffic. The held-back messages
/// stay decided, their originals claimed in `processing/`, until a retry finishes them.
extension SpoolWorker {
    /// What `finish` did: the messages `attempt` carried out together, and those it held back.
    struct Finished {
        var together: [String] = []
        var heldBack: Set<String> = []
    }

    /// Runs `attempt` on recorded decisions together (the batch: `giveFinalNames`; recovery:
    /// `publishAndClose`). When it fails, the directory the error names is taken out: the messages
    /// that write there are held back (they stay decided, their files claimed) and the rest go on
    /// together, again and again for each further directory that fails. A failure no directory
    /// accounts for tries each message alone, published and closed at once. Throws only when
    /// nothing could be finished and no directory accounts for it (then the caller backs off).
    func finish(_ works: [MessageStore.PendingWork], together attempt: ([MessageStore.PendingWork]) throws -> Void)
        throws -> Finished
    {
        var pending = works
        var failedDirectories: Set<String> = []
        var heldBack: [String] = []
        var unexplained = false
        var cause: (any Error)?
        var finished = Finished()
        while !pending.isEmpty {
            do {
                try attempt(pending)
                finished.together = pending.map(\.messageId)
                break
            } catch {
                cause = cause ?? error
                guard let directory = Self.failedDirectory(error), failedDirectories.insert(directory).inserted else {
                    unexplained = true
                    for work in pending {
                        do { try publishAndClose([work]) } catch { heldBack.append(work.messageId) }
                    }
                    break
                }
                let needsFailed = { (work: MessageStore.PendingWork) in
                    !failedDirectories.isDisjoint(with: self.directories(of: work))
                }
                heldBack += pending.filter(needsFailed).map(\.messageId)
                pending.removeAll(where: needsFailed)
            }
        }
        guard let cause, !heldBack.isEmpty else { return finished }
        guard heldBack.count < works.count || !unexplained else { throw cause }
        // Their records are in the log (appended before any publish); held back for long, they
        // leave its tail, so recovery must not take them for missing.
        try store.dropAuditFacts(messageIds: heldBack)
        heldBackReport.withLock { $0 = HeldBack(count: heldBack.count, cause: cause) }
        finished.heldBack = Set(heldBack)
        return finished
    }

    /// Recovery's and the retry's publishing: final names, one sync, then the messages closed.
    func publishAndClose(_ works: [MessageStore.PendingWork]) throws {
        try publishDurably(works)
        try store.markDone(messageIds: works.map(\.messageId))
    }

    /// The directory a failed write names, if the error names one.
    private static func failedDirectory(_ error: any Error) -> String? {
        guard case let .system(_, path, _)? = error as? DurableFile.Failure else { return nil }
        return DurableFile.parent(of: path)
    }

    /// Finishes the decisions a fault held back; returns how many are still held back.
    func retryHeldBack() throws -> Int {
        let decided = try store.pendingWork().filter { $0.state == .decided }
        try restamp(decided)
        return decided.isEmpty ? 0 : try finish(decided, together: publishAndClose).heldBack.count
    }

    /// What was held back since the last call, if anything (for the log and the backoff).
    func takeHeldBack() -> HeldBack? {
        heldBackReport.withLock { value in
            defer { value = nil }
            return value
        }
    }

    /// Work held back by a fault only it meets: decided messages waiting for their outputs.
    /// (Files that cannot be claimed from their inbox are `IntakeHealth`'s.)
    struct HeldBack: Error, CustomStringConvertible {
        var count: Int
        var cause: any Error
        var description: String { "\(count) message(s) held back until this clears (the others go on): \(cause)" }
    }

    /// Every directory a decision writes into.
    private func directories(of work: MessageStore.PendingWork) -> Set<String> {
        Set(
            (work.outputs.map(\.path) + [work.destination].compactMap { $0 }).map {
                DurableFile.parent(of: spool.absolute($0))
            })
    }
}
