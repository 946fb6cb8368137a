import Foundation

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
        let audit = try AuditLog(path: spool.auditLog, pseudonymizer: try Pseudonymizer.loadOrCreate(keyAt: spool.pseudonymKey))
        let processor = MessageProcessor(config: config, validator: MessageValidator(schemas: schemas, limits: config.limits))
        worker = SpoolWorker(spool: spool, processor: processor, store: store, audit: audit)
    }

    /// Finishes interrupted work; returns how many messages it touched.
    public func recover() throws -> Int { try worker.recover(partners: config.partners) }

    /// One pass over every inbox; returns the number of files taken. Files that appear during the
    /// pass are taken by the next one.
    /// `shouldStop` is asked between files, so a SIGTERM finishes the file in hand and no more.
    public func drainPass(shouldStop: () -> Bool = { false }) throws -> Int {
        var taken = 0
        for partner in config.partners {
            for name in Spool.candidates(in: worker.spool.inbound(partner.id)) {
                if shouldStop() { return taken }
                if try worker.take(partner, name) { taken += 1 }
            }
        }
        return taken
    }

    /// Passes until one finds nothing.
    public func drain() throws -> Int {
        var total = 0
        while true {
            let taken = try drainPass()
            total += taken
            if taken == 0 { return total }
        }
    }

    /// The daemon loop: a full scan at start, after every inotify wake-up, and at least every
    /// `scanIntervalSeconds` (the safety net for missed events). Waits are cut into 250 ms slices
    /// so that a stop request is seen quickly; returns once `shouldStop` says so.
    public func serve(shouldStop: () -> Bool) throws {
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
