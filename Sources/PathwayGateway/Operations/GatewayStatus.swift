import Foundation

/// Builds the `status` report from the spool lock, the spool directories, the state database and
/// the audit log, and judges health. Read-only: it creates nothing, so it is safe to run as a
/// Docker HEALTHCHECK or from a monitoring agent every few seconds.
public enum GatewayStatus {
    /// When `status` exits 1. Only conditions a restart or an operator on the gateway can fix make it
    /// unhealthy; a municipality that does not answer or a quarantined file is a partner problem,
    /// shown in the report and alerted on through metrics, but restarting the container would not help.
    public struct HealthPolicy: Sendable, Equatable {
        /// Default 300 s: ten times the 30 s scan interval; inotify normally takes a file within ms.
        public static let defaultMaxInboundAgeSeconds: Double = 300
        /// Unhealthy when a file has waited in an inbound directory, or stayed claimed in
        /// `processing/`, longer than this.
        public var maxInboundAgeSeconds: Double
        public init(maxInboundAgeSeconds: Double = HealthPolicy.defaultMaxInboundAgeSeconds) {
            self.maxInboundAgeSeconds = maxInboundAgeSeconds
        }
    }

    /// The count of pathways past their due window (`StatusCommand` passes
    /// `PathwayMonitor.overdueCounts`); without it status shows "n/a".
    public typealias OverduePathways = @Sendable (_ config: GatewayConfig, _ now: Date) throws -> Int

    public static func collect(
        config: GatewayConfig, policy: HealthPolicy = HealthPolicy(), now: Date = Date(),
        overduePathways: OverduePathways? = nil
    ) -> StatusReport {
        let spool = Spool(root: config.spool)
        var problems: [String] = []
        var daemon = StatusReport.Daemon(running: false, pid: nil)
        do {
            if case let .process(pid) = try SpoolLock.probe(spool.lockFile) { daemon = .init(running: true, pid: pid) }
        } catch {
            problems.append("cannot test the spool lock: \(error)")
        }
        if !daemon.running { problems.append("daemon not running (no process holds \(spool.lockFile))") }
        let survey = SpoolSurvey.take(spool: spool, partners: config.partners, now: now)
        if let oldest = survey.oldestAgeSeconds, oldest > policy.maxInboundAgeSeconds {
            problems.append(
                "an inbound file has waited \(StatusReport.age(oldest)) (limit \(StatusReport.age(policy.maxInboundAgeSeconds)))"
            )
        }
        // Files the daemon had to leave waiting (spec §8: the operator's to fix, said until fixed).
        if daemon.running { problems += survey.intakeProblems.map(\.description) }
        // The daemon retries a failing batch (disk full, an unwritable directory) without exiting;
        // its files then sit in processing/, not inbound/.
        if let stuck = survey.oldestProcessingAgeSeconds, stuck > policy.maxInboundAgeSeconds {
            problems.append(
                "a claimed file has been in processing for \(StatusReport.age(stuck)) "
                    + "(limit \(StatusReport.age(policy.maxInboundAgeSeconds))): batches keep failing, see the daemon's log"
            )
        }
        var report = StatusReport(
            spool: config.spool, checkedAt: now, daemon: daemon, inboxes: survey.inboxes,
            oldestInboundAgeSeconds: survey.oldestAgeSeconds, quarantined: survey.quarantined,
            auditHead: AuditHead.read(spool.auditLog), healthy: false, problems: [])
        do {
            let queries = try OperationsQueries(databasePath: spool.database)
            report.outcomes = .init(
                lastHour: try queries.outcomeCounts(since: now.addingTimeInterval(-3_600)),
                lastDay: try queries.outcomeCounts(since: now.addingTimeInterval(-86_400)))
            report.awaitingAppRec = .init(
                receivers: try queries.awaitingByReceiver(),
                longest: try queries.longestAwaiting(limit: StatusReport.AwaitingAppRec.longestListed),
                config: config, now: now)
            report.receiverRejections = .init(
                lastDay: try queries.receiverRejections(since: now.addingTimeInterval(-86_400)),
                total: try queries.receiverRejections())
            report.lastSuccess = try queries.lastDone()
        } catch OperationsQueries.Failure.noDatabase(let path) {
            report.databaseProblem = "no database yet at \(path)"
        } catch {
            report.databaseProblem = "\(error)"
            problems.append("state database not readable: \(error)")
        }
        // A failing count shows as "n/a": a report problem, not a reason to restart the gateway.
        report.overduePathways = (try? overduePathways?(config, now)) ?? nil
        report.problems = problems
        report.healthy = problems.isEmpty
        return report
    }
}
