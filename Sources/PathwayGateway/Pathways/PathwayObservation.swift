import Foundation

/// One pathway event seen in one accepted message, as plain values: what the daemon records in a
/// patient's timeline. The patient is a keyed pseudonym only; the fødselsnummer never gets here.
struct PathwayObservation: Sendable, Hashable {
    /// The gateway's id of the inbound message (`messages.id`): recording is idempotent on it.
    var messageId: String
    var pseudonym: String
    var pathway: String
    var event: String
    /// The pathway type the matched code told (e.g. `D11`), if any.
    var type: String?
    var eventDate: CalendarDate
    var diagnosisDate: CalendarDate?
    /// The reason a closing event states (`DOD`, `ONSKER-IKKE`, `FLYTTET`, `ANNET`).
    var reason: String?
    /// The patient's kommune after aliases, as the message stated it.
    var kommune: String?
    /// The partner whose inbox the message came from (the hospital for SP1).
    var partner: String
    /// The sender's MsgId, so the sender can find the message (and the patient) in its own system.
    var msgId: String?
    var receivedAt: Date

    init(
        messageId: String, pseudonym: String, pathway: String, event: String, type: String? = nil,
        eventDate: CalendarDate, diagnosisDate: CalendarDate? = nil, kommune: String?, partner: String,
        msgId: String?, receivedAt: Date, reason: String? = nil
    ) {
        self.messageId = messageId
        self.pseudonym = pseudonym
        self.pathway = pathway
        self.event = event
        self.type = type
        self.eventDate = eventDate
        self.diagnosisDate = diagnosisDate
        self.kommune = kommune
        self.partner = partner
        self.msgId = msgId
        self.receivedAt = receivedAt
        self.reason = reason
    }

    /// The observation an accepted message's audit facts describe; nil when the message carries no
    /// pathway event or no patient identity (nothing to follow).
    init?(facts: AuditFacts, partner: String, messageId: String, receivedAt: Date, pseudonymizer: Pseudonymizer) {
        // The daemon hands in facts whose identity is already a pseudonym; tests may pass the number.
        guard let detail = facts.pathwayDetail,
            let pseudonym = facts.patientPseudonym
                ?? facts.patientIdent.flatMap({ $0.isEmpty ? nil : pseudonymizer.pseudonym(for: $0) })
        else { return nil }
        self.init(
            messageId: messageId, pseudonym: pseudonym, pathway: detail.pathway,
            event: detail.event, type: detail.type, eventDate: detail.eventDate, diagnosisDate: detail.diagnosisDate,
            kommune: facts.kommune, partner: partner, msgId: facts.msgId, receivedAt: receivedAt,
            reason: detail.reason)
    }
}
