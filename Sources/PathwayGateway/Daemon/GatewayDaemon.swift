import Dispatch
import Foundation
import Synchronization

/// `pathway-gateway run`: opens the spool, finishes what a crash left, then drains the inbound
/// directories. Intake: inotify wake-ups plus a periodic full scan (docs/daemon-design.md).
public final class GatewayDaemon: Sendable {
    public let config: GatewayConfig
    public let worker: SpoolWorker

    public init(config: GatewayConfig, schemas: SchemaSet) throws {
        self.config = config
        let spool = Spool(root: config.spool)
        try spool.prepare(for: config.partners)
        let store = try MessageStore(path: spool.database)
        let pseudonymizer = try Pseudonymizer.loadOrCreate(keyAt: spool.pseudonymKey)
        let audit = try AuditLog(path: spool.auditLog, pseudonymizer: pseudonymizer)
        let processor = MessageProcessor(config: config, validator: MessageValidator(schemas: schemas, limits: config.limits))
        worker = SpoolWorker(spool: spool, processor: processor, store: store, audit: audit,
                             timelines: PathwayTimelines(store: store, pseudonymizer: pseudonymizer))
    }

    /// Finishes interrupted work; returns how many messages it touched.
    public func recover() throws -> Int { try worker.recover(partners: config.partners) }

    /// One pass over every inbox; returns the number of files taken. Files that appear during the
    /// pass are taken by the next one.
    /// `shouldStop` is asked between files, so a SIGTERM finishes the files in hand and no more.
    /// `config.workers` threads take files from one shared list: validation is CPU work and every
    /// output waits on fsync, so two workers overlap one's disk wait with the other's parsing.
    public func drainPass(shouldStop: @Sendable () -> Bool = { false }) throws -> Int {
        let work = config.partners.flatMap { partner in
            Spool.candidates(in: worker.spool.inbound(partner.id)).map { (partner, $0) }
        }
        guard !work.isEmpty else { return 0 }
        let state = Mutex((next: 0, taken: 0, error: (any Error)?.none))
        DispatchQueue.concurrentPerform(iterations: max(1, min(config.workers, work.count))) { _ in
            while true {
                let index: Int? = state.withLock { s in
                    guard s.error == nil, s.next < work.count, !shouldStop() else { return nil }
                    s.next += 1
                    return s.next - 1
                }
                guard let index else { return }
                do {
                    if try worker.take(work[index].0, work[index].1) { state.withLock { $0.taken += 1 } }
                } catch {
                    state.withLock { $0.error = $0.error ?? error }
                }
            }
        }
        return try state.withLock { s in
            if let error = s.error { throw error }
            return s.taken
        }
    }

    /// Passes until one finds nothing.
    public func drain(shouldStop: @Sendable () -> Bool = { false }) throws -> Int {
        var total = 0
        while !shouldStop() {
            let taken = try drainPass(shouldStop: shouldStop)
            total += taken
            if taken == 0 { return total }
        }
        return total
    }

    /// The daemon loop: a full scan at start, after every inotify wake-up, and at least every
    /// `scanIntervalSeconds` (the safety net for missed events). Waits are cut into 250 ms slices
    /// so that a stop request is seen quickly; returns once `shouldStop` says so.
    public func serve(shouldStop: @Sendable () -> Bool) throws {
        let watcher = try InboxWatcher(directories: config.partners.map { worker.spool.inbound($0.id) })
        let interval = max(1, Int(config.scanIntervalSeconds * 1000))
        while !shouldStop() {
            if try drainPass(shouldStop: shouldStop) > 0 { continue }
            var waited = 0
            while waited < interval && !shouldStop() {
                if watcher.wait(timeoutMilliseconds: Int32(min(250, interval - waited))) { break }
                waited += 250
            }
        }
    }
}
