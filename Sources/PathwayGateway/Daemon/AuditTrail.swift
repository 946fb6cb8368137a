import Foundation

/// The audit records of one decided message, one per step, in the order the steps happen
/// (docs/audit.md has the vocabulary): `replay` (for a file an operator re-queued), `received` (the decision), `routed` per routed copy,
/// `notice` per notice or reason file, `apprec-sent`, `apprec-relayed` (a receiver's AppRec carried
/// to the original sender), `redelivered` (a resend's copy delivered once more), `reminder-sent` after `routed` for a reminder
/// the gateway wrote into its own inbox (spec §9), then `archived`
/// or `quarantined`.
///
/// They are derived from the plan alone, before any step is carried out, and appended (synced)
/// before any of those steps becomes visible: a record can never be missing for a step a partner
/// has already seen. Recovery finishes every decided message, so each record comes true.
enum AuditTrail {
    static func entries(for plan: ProcessingPlan, partner: String, fileName: String, sha256: String, now: Date)
        -> [AuditLog.Entry]
    {
        let facts = plan.facts
        let decision = plan.decision
        var entries: [AuditLog.Entry] = []
        if let original = Replay.replayedId(inFileName: fileName) {
            var replay = step(facts)
            replay.errors = ["replay of gateway message \(original), requested by an operator"]
            entries.append(
                AuditLog.Entry(
                    event: "replay", partner: partner, file: fileName, outcome: nil, sha256: sha256,
                    facts: replay, now: now))
        }
        entries.append(
            AuditLog.Entry(
                event: "received", partner: partner, file: fileName, outcome: decision.outcome.rawValue,
                sha256: sha256, facts: facts, now: now))
        entries += routedEntries(decision.routed, facts, partner: partner, now: now)
        for notice in decision.notices {
            entries.append(
                AuditLog.Entry(
                    event: "notice", partner: partner, file: notice.path, outcome: nil, sha256: nil,
                    facts: step(facts), now: now))
        }
        if let appRec = decision.appRec {
            var answer = step(facts)
            answer.msgId = appRec.receiptId
            answer.msgType = "APPREC"
            answer.refMsgId = facts.msgId
            answer.errors =
                appRec.errorCode.map { ["\($0) \(Redaction.maskQuotedValues(appRec.errorText ?? ""))"] } ?? []
            entries.append(
                AuditLog.Entry(
                    event: "apprec-sent", partner: partner, file: appRec.path, outcome: String(appRec.status),
                    sha256: nil, facts: answer, now: now))
        }
        entries += followUps(decision.followUps, facts, now: now)
        if let destination = decision.destination {
            let event = destination.hasPrefix("quarantine/") ? "quarantined" : "archived"
            entries.append(
                AuditLog.Entry(
                    event: event, partner: partner, file: destination, outcome: nil, sha256: nil,
                    facts: step(facts), now: now))
        }
        return entries
    }

    /// `routed` per delivered copy, each followed by `reminder-sent` when the message is a reminder
    /// the gateway wrote into its own inbox (spec §9); the patient as its pseudonym only.
    private static func routedEntries(_ routed: [RoutedPlan], _ facts: AuditFacts, partner: String, now: Date)
        -> [AuditLog.Entry]
    {
        routed.flatMap { routed in
            var copy = AuditFacts(
                msgId: routed.routedMsgId, msgType: facts.msgType, sender: facts.sender,
                receiver: routed.targetHerId, kommune: facts.kommune)
            copy.gatewayId = facts.gatewayId
            copy.refMsgId = facts.msgId
            copy.pathwayEvent = facts.pathwayEvent
            copy.patientPseudonym = facts.patientPseudonym
            let events = partner == Partner.internalId ? ["routed", "reminder-sent"] : ["routed"]
            return events.map {
                AuditLog.Entry(
                    event: $0, partner: routed.targetPartner, file: routed.path, outcome: nil, sha256: nil,
                    facts: copy, now: now)
            }
        }
    }

    /// `apprec-relayed` per receiver's AppRec carried to the original sender (its outbound file),
    /// `redelivered` per copy a resend delivered once more.
    private static func followUps(_ followUps: [FollowUp], _ facts: AuditFacts, now: Date) -> [AuditLog.Entry] {
        followUps.map { followUp in
            var step = step(facts)
            step.refMsgId = facts.refMsgId
            step.receiver = facts.receiver
            let event = followUp.kind == .relay ? "apprec-relayed" : "redelivered"
            return AuditLog.Entry(
                event: event, partner: SpoolPaths.partner(ofOutbound: followUp.output.path),
                file: followUp.output.path, outcome: nil, sha256: nil, facts: step, now: now)
        }
    }

    /// The facts a follow-up step repeats: which file and message it belongs to.
    private static func step(_ facts: AuditFacts) -> AuditFacts {
        var step = AuditFacts(msgId: facts.msgId, msgType: facts.msgType, sender: facts.sender)
        step.gatewayId = facts.gatewayId
        return step
    }

    // MARK: Stored form

    /// The records as the database keeps them for recovery: their encoded bodies, one per line
    /// (a body has no raw newline: JSON escapes control characters). The patient is in them only
    /// as its pseudonym.
    static func stored(_ records: [AuditLog.Encoded]) -> String {
        records.map { String(decoding: $0.body, as: UTF8.self) }.joined(separator: "\n")
    }

    /// The records `stored` wrote, ready to append; nil when the text is not that form. Records
    /// stored by builds before the encoded form (flat objects with `at`) are encoded here.
    static func records(stored text: String, encoding: (AuditLog.Entry) -> AuditLog.Encoded) -> [AuditLog.Encoded]? {
        let lines = text.split(separator: "\n").map { Array($0.utf8) }
        let records = lines.compactMap(AuditLog.Encoded.init(stored:))
        if records.count == lines.count { return records }
        return entries(stored: text)?.map(encoding)
    }

    /// The flat form builds before the encoded one stored (with `at`); nil for anything else.
    static func entries(stored text: String) -> [AuditLog.Entry]? {
        var entries: [AuditLog.Entry] = []
        for line in text.split(separator: "\n") {
            guard let object = AuditJSON.decode(Array(line.utf8)), case let .string(event)? = object["event"],
                case let .integer(at)? = object["at"]
            else { return nil }
            func text(_ key: String) -> String? { if case let .string(value)? = object[key] { value } else { nil } }
            func list(_ key: String) -> [String] { if case let .strings(value)? = object[key] { value } else { [] } }
            var facts = AuditFacts(
                msgId: text("msgId"), msgType: text("msgType"), sender: text("sender"),
                receiver: text("receiver"), kommune: text("kommune"))
            facts.gatewayId = text("gatewayId")
            facts.refMsgId = text("refMsgId")
            facts.pathwayEvent = text("pathwayEvent")
            facts.routedTo = list("routedTo")
            facts.errors = list("errors")
            facts.warnings = list("warnings")
            facts.patientPseudonym = text("patient")
            if case let .bool(flag)? = object["security"] { facts.security = flag }
            entries.append(
                AuditLog.Entry(
                    event: event, partner: text("partner"), file: text("file"), outcome: text("outcome"),
                    sha256: text("sha256"), facts: facts, now: Date(timeIntervalSince1970: Double(at) / 1000)))
        }
        return entries
    }
}
