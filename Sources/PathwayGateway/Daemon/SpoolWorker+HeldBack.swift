import Synchronization

/// Messages held back by a fault that only they meet (finding F8): a municipality's outbound
/// directory turned read-only must not stop every other partner's traffic. The held-back messages
/// stay decided, their originals claimed in `processing/`, until a retry finishes them.
extension SpoolWorker {
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
}
