import Foundation

/// The audit records of one decided message, one per step, in the order the steps happen
/// (docs/audit.md has the vocabulary): `replay` (for a file an operator re-queued), `received` (the decision), `routed` per routed copy,
/// `notice` per notice or reason file, `apprec-sent`, then `archived` or `quarantined`.
///
/// They are derived from the plan alone, before any step is carried out, and appended (synced)
/// before any of those steps becomes visible: a record can never be missing for a step a partner
/// has already seen. Recovery finishes every decided message, so each record comes true.
enum AuditTrail {
    static func entries(for plan: ProcessingPlan, partner: String, fileName: String, sha256: String, now: Date) -> [AuditLog.Entry] {
        let facts = plan.facts
        let decision = plan.decision
        var entries: [AuditLog.Entry] = []
        if let original = Replay.replayedId(inFileName: fileName) {
            var replay = step(facts)
            replay.errors = ["replay of gateway message \(original), requested by an operator"]
            entries.append(AuditLog.Entry(event: "replay", partner: partner, file: fileName, outcome: nil, sha256: sha256,
                                          facts: replay, now: now))
        }
        entries.append(AuditLog.Entry(event: "received", partner: partner, file: fileName, outcome: decision.outcome.rawValue,
                                      sha256: sha256, facts: facts, now: now))
        for routed in decision.routed {
            var copy = AuditFacts(msgId: routed.routedMsgId, msgType: facts.msgType, sender: facts.sender,
                                  receiver: routed.targetHerId, kommune: facts.kommune)
            copy.gatewayId = facts.gatewayId
            copy.refMsgId = facts.msgId
            copy.pathwayEvent = facts.pathwayEvent
            copy.patientPseudonym = facts.patientPseudonym
            entries.append(AuditLog.Entry(event: "routed", partner: routed.targetPartner, file: routed.path, outcome: nil,
                                          sha256: nil, facts: copy, now: now))
        }
        for notice in decision.notices {
            entries.append(AuditLog.Entry(event: "notice", partner: partner, file: notice.path, outcome: nil, sha256: nil,
                                          facts: step(facts), now: now))
        }
        if let appRec = decision.appRec {
            var answer = step(facts)
            answer.msgId = appRec.receiptId
            answer.msgType = "APPREC"
            answer.refMsgId = facts.msgId
            answer.errors = appRec.errorCode.map { ["\($0) \(Redaction.maskQuotedValues(appRec.errorText ?? ""))"] } ?? []
            entries.append(AuditLog.Entry(event: "apprec-sent", partner: partner, file: appRec.path, outcome: String(appRec.status),
                                          sha256: nil, facts: answer, now: now))
        }
        if let destination = decision.destination {
            let event = destination.hasPrefix("quarantine/") ? "quarantined" : "archived"
            entries.append(AuditLog.Entry(event: event, partner: partner, file: destination, outcome: nil, sha256: nil,
                                          facts: step(facts), now: now))
        }
        return entries
    }

    /// The facts a follow-up step repeats: which file and message it belongs to.
    private static func step(_ facts: AuditFacts) -> AuditFacts {
        var step = AuditFacts(msgId: facts.msgId, msgType: facts.msgType, sender: facts.sender)
        step.gatewayId = facts.gatewayId
        return step
    }
}
