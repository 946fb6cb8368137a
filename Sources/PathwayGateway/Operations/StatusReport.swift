import Foundation

/// What `pathway-gateway status` shows: whether the daemon runs, whether messages flow, and what
/// waits on whom. A value, so the text and `--json` forms show exactly the same facts.
public struct StatusReport: Sendable, Encodable {
    struct Daemon: Sendable, Equatable, Encodable {
        var running: Bool
        var pid: Int32?
    }

    struct Outcomes: Sendable, Equatable, Encodable {
        var lastHour: [String: Int]
        var lastDay: [String: Int]
    }

    struct ReceiverRejections: Sendable, Equatable, Encodable {
        var lastDay: Int
        var total: Int
    }

    var spool: String
    var checkedAt: Date
    var daemon: Daemon
    var inboxes: [SpoolSurvey.Inbox]
    var oldestInboundAgeSeconds: Double?
    var quarantined: Int
    /// nil when the database could not be read (`databaseProblem` says why).
    var outcomes: Outcomes?
    /// What waits for a receiver's AppRec (StatusReport+Awaiting.swift).
    var awaitingAppRec: AwaitingAppRec?
    var receiverRejections: ReceiverRejections?
    var lastSuccess: Date?
    /// Pathways past their SP2/SP3 window; nil until the pathways module provides the count ("n/a").
    var overduePathways: Int?
    var auditHead: AuditHead?
    var databaseProblem: String?
    /// The health verdict `status` exits on (0 healthy, 1 not): see `GatewayStatus.HealthPolicy`.
    public var healthy: Bool
    var problems: [String]
    /// The version of the `status` binary that wrote this (`BuildInfo.version`), so a monitoring
    /// check sees which build it asks; the daemon's own is in its start log line and metrics.
    var version: String = BuildInfo.version

    /// The operator's view: one fact per line, ages in words, nothing personal.
    public var text: String {
        var lines = ["spool:              \(spool)"]
        lines.append(
            "daemon:             "
                + (daemon.running ? "running" + (daemon.pid.map { " (pid \($0))" } ?? "") : "not running"))
        lines.append("health:             " + (healthy ? "ok" : "UNHEALTHY: " + problems.joined(separator: "; ")))
        lines.append(
            "inbound backlog:    \(inboxes.reduce(0) { $0 + $1.waiting }) file(s)"
                + (oldestInboundAgeSeconds.map { ", oldest \(Self.age($0))" } ?? ""))
        for inbox in inboxes where inbox.waiting > 0 || inbox.processing > 0 {
            lines.append(
                "  \(inbox.partner): \(inbox.waiting) waiting"
                    + (inbox.oldestAgeSeconds.map { ", oldest \(Self.age($0))" } ?? "")
                    + (inbox.processing > 0 ? ", \(inbox.processing) in processing" : "")
                    + (inbox.oldestProcessingAgeSeconds.map { " (oldest claimed \(Self.age($0)) ago)" } ?? ""))
        }
        if let outcomes {
            lines.append("last hour:          \(Self.counts(outcomes.lastHour))")
            lines.append("last 24 hours:      \(Self.counts(outcomes.lastDay))")
        } else {
            lines.append("outcomes:           n/a (\(databaseProblem ?? "database not readable"))")
        }
        lines.append(
            "last success:       "
                + (lastSuccess.map { "\(Timestamp.rfc3339($0)) (\(Self.age(checkedAt.timeIntervalSince($0))) ago)" }
                    ?? "never"))
        lines.append(
            "quarantined:        \(quarantined) file(s)"
                + inboxes.filter { $0.quarantined > 0 }.map { " \($0.partner)=\($0.quarantined)" }.joined())
        if let awaitingAppRec {
            lines += awaitingAppRec.lines(checkedAt: checkedAt)
        } else {
            lines.append("awaiting AppRec:    n/a")
        }
        if let receiverRejections {
            lines.append(
                "receiver rejected:  \(receiverRejections.lastDay) in 24 hours, \(receiverRejections.total) in all")
        }
        let outbound = inboxes.filter { $0.outbound > 0 }
        lines.append(
            "outbound unread:    \(outbound.reduce(0) { $0 + $1.outbound }) file(s)"
                + outbound.map { " \($0.partner)=\($0.outbound)" }.joined())
        lines.append("overdue pathways:   " + (overduePathways.map(String.init) ?? "n/a"))
        lines.append("audit head:         " + (auditHead.map { "seq \($0.seq) hash \($0.hash)" } ?? "empty"))
        return lines.joined(separator: "\n") + "\n"
    }

    static func counts(_ counts: [String: Int]) -> String {
        counts.isEmpty ? "no messages" : counts.keys.sorted().map { "\($0) \(counts[$0]!)" }.joined(separator: ", ")
    }

    /// `42 s`, `12 min`, `3.5 h`, `2.0 d`.
    static func age(_ seconds: Double) -> String {
        switch max(0, seconds) {
        case ..<120: "\(Int(seconds.rounded())) s"
        case ..<7_200: "\(Int((seconds / 60).rounded())) min"
        case ..<172_800: String(format: "%.1f h", seconds / 3_600)
        default: String(format: "%.1f d", seconds / 86_400)
        }
    }

    /// The `--json` form: one object, sorted keys, RFC 3339 times.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.rfc3339(date))
        }
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }
}
