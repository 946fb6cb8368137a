import Foundation

/// The demo's text: per file what happened (spec §4) and the files to open, paths relative to the
/// demo directory so they can be pasted after `cd DIR`.
extension DemoTour {
    func narrate(rounds: [(title: String, drops: [Drop])], queries: OperationsQueries) throws -> String {
        var out = [
            "PathwayGateway demo in \(directory)",
            "config: pathway-gateway.json (the embedded default), spool: spool/  — paths below are relative to \(directory)",
            "",
        ]
        var tally: [String: Int] = [:]
        for round in rounds {
            out.append(round.title)
            for drop in round.drops {
                guard let trail = try queries.trail(partner: drop.inbox, fileName: drop.fileName) else {
                    throw Failure.missingStep("the outcome of inbound/\(drop.inbox)/\(drop.fileName)")
                }
                tally[trail.outcome ?? "unfinished", default: 0] += 1
                out.append("  inbound/\(drop.inbox)/\(drop.fileName) — \(drop.story)")
                out += describe(trail, drop: drop).map { "      " + $0 }
            }
            out.append("")
        }
        let spool = Spool(root: config.spool)
        let auditLines =
            (try? String(contentsOfFile: spool.auditLog, encoding: .utf8))?.split(separator: "\n").count ?? 0
        out.append("Outcomes: " + tally.keys.sorted().map { "\($0) \(tally[$0]!)" }.joined(separator: ", "))
        out.append("")
        out.append("Open next:")
        out.append("  \(relative(spool.auditLog))  the audit log, \(auditLines) records (patients as keyed pseudonyms)")
        out.append("  \(relative(config.metricsDirectory))/\(OperationsService.metricsFileName)  Prometheus metrics")
        out.append("  \(relative(spool.database))  the state database (sqlite3, read-only please)")
        out.append("Try:")
        out.append("  pathway-gateway status --config \(configPath)")
        out.append(
            "  pathway-gateway run --config \(configPath)   then copy files into \(spool.inbound(Self.hospital))/")
        return out.joined(separator: "\n") + "\n"
    }

    private func describe(_ t: OperationsQueries.MessageTrail, drop: Drop) -> [String] {
        outcome(t, drop: drop) + files(t)
    }

    /// What happened, in a line or two.
    private func outcome(_ t: OperationsQueries.MessageTrail, drop: Drop) -> [String] {
        var lines: [String] = []
        let error = t.errorCode.map { " \($0)" + (t.errorText.map { ": \(Self.oneLine($0))" } ?? "") } ?? ""
        switch t.outcome {
        case "accepted":
            let targets = t.routed.map(\.partner)
            lines.append(
                targets.isEmpty
                    ? "accepted, recorded (nothing to route); AppRec OK to \(drop.inbox)"
                    : "accepted, delivered to \(targets.joined(separator: ", ")) as its sender wrote it (MsgId and Sender "
                        + "kept); the receiver's AppRec will be relayed to \(drop.inbox)")
        case "duplicate" where t.appRecPath == nil && !t.redelivered.isEmpty:
            lines.append(
                "duplicate: a resend of a delivered message the receiver had taken and never answered: "
                    + "the same copy is delivered once more (the receiver de-duplicates on MsgId)")
        case "duplicate" where t.appRecPath == nil:
            lines.append(
                "duplicate: a resend of a delivered message still unread by its receiver; nothing new is sent")
        case "duplicate":
            let same = sameAppRecAsFirst(t)
            lines.append(
                "duplicate: answered with the first message's AppRec again"
                    + (same ? " (byte-identical)" : "") + "; nothing routed twice")
        case "apprec-received":
            if let answered = t.answered {
                lines.append(
                    "apprec-received: matched to the routed \(relative(Spool(root: config.spool).absolute(answered.path)))"
                        + (answered.state == "rejected"
                            ? ", which the receiver REJECTED (shown by status and metrics)"
                            : ", now \(answered.state)")
                        + (t.relayed.isEmpty
                            ? "; answered before, so not relayed again"
                            : "; relayed byte for byte to the original sender"))
            } else {
                lines.append("apprec-received: matched nothing; recorded and archived")
            }
            lines.append("never answered with an AppRec")
        case "rejected" where t.errorCode == "X99" && drop.inbox != Self.hospital:
            lines.append("rejected\(error) — a security event in the audit log; nothing routed")
        default:
            lines.append(
                "\(t.outcome ?? "unfinished")\(error)" + (t.appRecStatus == 2 ? "; AppRec Avvist to \(drop.inbox)" : "")
            )
        }
        return lines
    }

    /// Every file it made or moved, relative to the demo directory.
    private func files(_ t: OperationsQueries.MessageTrail) -> [String] {
        var lines: [String] = []
        let spool = Spool(root: config.spool)
        for routed in t.routed {
            let path = spool.absolute(routed.path)
            let taken = FileManager.default.fileExists(atPath: path) ? "" : " (taken by \(routed.partner))"
            lines.append("routed copy:  \(relative(path))\(taken)")
        }
        for copy in t.redelivered { lines.append("copy again:   \(relative(spool.absolute(copy)))") }
        if let path = t.appRecPath { lines.append("AppRec:       \(relative(spool.absolute(path)))") }
        for relay in t.relayed { lines.append("relayed:      \(relative(spool.absolute(relay)))") }
        for notice in t.notices {
            lines.append(
                (notice.hasSuffix(".reason.txt") ? "reason:       " : "notice:       ")
                    + relative(spool.absolute(notice)))
        }
        if let destination = t.destination {
            lines.append(
                (destination.hasPrefix("quarantine/") ? "quarantined:  " : "archived:     ")
                    + relative(spool.absolute(destination)))
        }
        return lines
    }

    /// True when this duplicate's AppRec file has the same bytes as the first message's.
    private func sameAppRecAsFirst(_ t: OperationsQueries.MessageTrail) -> Bool {
        guard let first = t.firstAppRecPath, let mine = t.appRecPath else { return false }
        let spool = Spool(root: config.spool)
        return FileManager.default.contents(atPath: spool.absolute(first))
            == FileManager.default.contents(atPath: spool.absolute(mine))
    }

    func relative(_ path: String) -> String {
        path.hasPrefix(directory + "/") ? String(path.dropFirst(directory.count + 1)) : path
    }

    static func oneLine(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > 140 ? String(flat.prefix(137)) + "..." : flat
    }
}
