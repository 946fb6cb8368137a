import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

extension GatewayDaemon {
    /// What the serving loop tells its owner (the service logs it, maintenance runs on it).
    public struct ServeEvents {
        /// After a pass that found nothing (maintenance such as retention).
        public var idle: () -> Void = {}
        /// Each failed pass, before the loop backs off (1 s doubling to 60 s) and retries.
        public var failed: (any Error) -> Void = { _ in }
        /// What keeps files in inboxes changed (`IntakeHealth`).
        public var intake: (IntakeHealth.Change) -> Void = { _ in }
        /// Work goes through again after this many failed attempts: the log that said "failed"
        /// also says when it stopped failing.
        public var recovered: (Int) -> Void = { _ in }
        /// The showings of identities cannot be folded into the audit log (told once per problem).
        public var identityAccess: (any Error) -> Void = { _ in }
        /// Called at least every `heartbeatMilliseconds` while the loop runs (the systemd watchdog).
        public var heartbeat: () -> Void = {}
        public var heartbeatMilliseconds: Int?
        /// After each reminder tick (spec §9): what it wrote, or why it failed (intake goes on).
        var reminded: (Result<ReminderSweep.Outcome, any Error>) -> Void = { _ in }
        public init() {}
    }

    /// The daemon loop: a full scan at start, after every inotify wake-up, and at least every
    /// `scanIntervalSeconds` (the safety net for missed events); returns as soon as `stop` is
    /// requested (a stop or a reload: the owner tells them apart). `recoverFirst`: start-up
    /// recovery failed; the loop backs off and retries it like a failed batch. Work held back by
    /// a fault only it meets is retried on its own backoff while intake goes on for everyone else.
    public func serve(stop: StopToken, recoverFirst: Bool = false, events: ServeEvents = ServeEvents()) throws {
        // An inbox it cannot watch (no permission to read it) is still scanned: its problem is
        // reported by the scan, and the other partners are watched as usual.
        let watcher = try InboxWatcher(directories: config.partners.map { worker.spool.inbound($0.id) })
        let interval = max(1, Int(config.scanIntervalSeconds * 1000))
        var failedPasses = Backoff()
        var heldBack = Backoff()
        var reminderTick = ReminderTick()
        if recoverFirst {
            failedPasses.failed()
            pause(failedPasses.delayMilliseconds, stop: stop, events: events)
        }
        while !stop.isRequested {
            events.heartbeat()
            do {
                if failedPasses.failures > 0 { _ = try recover() }  // finish what the failed batch left
                if heldBack.isDue { retryHeldBack(&heldBack, events: events) }
                if reminderTick.isDue { remindNow(&reminderTick, events: events) }
                let taken = try drainPass(stop: stop, onIntake: events.intake, onIdentityAccess: events.identityAccess)
                if taken > 0 { reminderTick.newWork() }
                if failedPasses.failures > 0 { events.recovered(failedPasses.failures) }
                failedPasses.succeeded()
                if let report = worker.takeHeldBack() {
                    heldBack.failed()
                    events.failed(report)
                }
                if taken > 0 { continue }
            } catch {
                // A full disk or an unwritable directory must not end the service: what was
                // recorded is finished by `recover` once the fault clears; retry with backoff.
                failedPasses.failed()
                events.failed(error)
                pause(failedPasses.delayMilliseconds, stop: stop, events: events)
                continue
            }
            events.idle()
            let due = [interval, heldBack.millisecondsLeft, reminderTick.millisecondsLeft].compactMap { $0 }.min()!
            waitForWork(due, watcher: watcher, stop: stop, events: events)
        }
    }

    /// Finishes what a fault held back; still failing for all of them is not the others'
    /// problem: it backs off further.
    private func retryHeldBack(_ backoff: inout Backoff, events: ServeEvents) {
        do {
            if try worker.retryHeldBack() == 0 {  // else reported with the pass
                events.recovered(backoff.failures)
                backoff.succeeded()
            }
        } catch {
            backoff.failed()
            events.failed(error)
        }
    }

    /// A reminder tick; a failure (a full disk) is reported and tried again at the next tick.
    private func remindNow(_ tick: inout ReminderTick, events: ServeEvents) {
        guard reminders != nil else { return }
        tick.ran()
        let result = Result { try remind() }.map { $0 ?? ReminderSweep.Outcome() }
        events.reminded(result)
    }

    /// Until a file lands (inotify), `milliseconds` pass, or a stop; heartbeats on the way.
    private func waitForWork(_ milliseconds: Int, watcher: InboxWatcher, stop: StopToken, events: ServeEvents) {
        var left = milliseconds
        while left > 0, !stop.isRequested {
            let slice = min(left, events.heartbeatMilliseconds ?? left)
            if watcher.wait(timeoutMilliseconds: slice, stop: stop) { return }
            left -= slice
            events.heartbeat()
        }
    }

    /// A backoff delay, cut short by a stop; heartbeats on the way.
    private func pause(_ milliseconds: Int, stop: StopToken, events: ServeEvents) {
        var left = milliseconds
        while left > 0, !stop.isRequested {
            let slice = min(left, events.heartbeatMilliseconds ?? left)
            stop.wait(milliseconds: slice)
            left -= slice
            events.heartbeat()
        }
    }
}

/// Consecutive failures of one kind, and when the next attempt is due: 1 s after the first,
/// doubling to at most 60 s.
struct Backoff {
    private(set) var failures = 0
    private var due: DispatchTime?

    var delayMilliseconds: Int { min(60_000, 1_000 << min(max(failures, 1) - 1, 6)) }
    var isDue: Bool { due.map { DispatchTime.now() >= $0 } ?? false }
    /// Until the next attempt; nil when none is waiting.
    var millisecondsLeft: Int? {
        due.map {
            Int(($0.uptimeNanoseconds - min($0.uptimeNanoseconds, DispatchTime.now().uptimeNanoseconds)) / 1_000_000)
        }
    }

    mutating func failed() {
        failures += 1
        due = .now() + .milliseconds(delayMilliseconds)
    }

    mutating func succeeded() { (failures, due) = (0, nil) }
}

/// When the serving loop runs a reminder tick: at start, after a pass that took files (an SP1
/// may have opened a window already) but not within 5 s of the last one (a tick reads the live
/// windows of each reminded kommune: ~17 ms for 11,000 of them, which every pass of a busy intake
/// need not pay), and at least once a minute (a window opens at midnight).
struct ReminderTick {
    static let intervalNanoseconds: UInt64 = 60_000_000_000
    static let spacingNanoseconds: UInt64 = 5_000_000_000
    private var last: DispatchTime?
    private var pending = true

    var isDue: Bool {
        guard let last else { return true }
        let since = DispatchTime.now().uptimeNanoseconds - last.uptimeNanoseconds
        return since >= Self.intervalNanoseconds || (pending && since >= Self.spacingNanoseconds)
    }

    /// Until a tick that new work asked for may run; nil when none is asked for (the loop's own
    /// interval brings the once-a-minute one).
    var millisecondsLeft: Int? {
        guard pending, let last else { return nil }
        let since = DispatchTime.now().uptimeNanoseconds - last.uptimeNanoseconds
        return since >= Self.spacingNanoseconds ? 0 : Int((Self.spacingNanoseconds - since) / 1_000_000) + 1
    }

    mutating func ran() { (last, pending) = (.now(), false) }
    mutating func newWork() { pending = true }
}
