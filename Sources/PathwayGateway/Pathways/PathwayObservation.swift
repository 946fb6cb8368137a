import Foundation

/// One pathway event seen in one accepted message, as plain values: what the daemon records in a
/// patient's timeline. The patient is a keyed pseudonym only; the fødselsnummer never gets here.
public struct PathwayObservation: Sendable, Hashable {
    /// The gateway's id of the inbound message (`messages.id`): recording is idempotent on it.
    public var messageId: String
    public var pseudonym: String
    public var pathway: String
    public var event: String
    /// The pathway type the matched code told (e.g. `D11`), if any.
    public var type: String?
    public var eventDate: CalendarDate
    public var diagnosisDate: CalendarDate?
    /// The patient's kommune after aliases, as the message stated it.
    public var kommune: String?
    /// The partner whose inbox the message came from (the hospital for SP1).
    public var partner: String
    /// The sender's MsgId, so the sender can find the message (and the patient) in its own system.
    public var msgId: String?
    public var receivedAt: Date

    public init(messageId: String, pseudonym: String, pathway: String, event: String, type: String? = nil,
                eventDate: CalendarDate, diagnosisDate: CalendarDate? = nil, kommune: String?, partner: String,
                msgId: String?, receivedAt: Date) {
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
    }

    /// The observation an accepted message's audit facts describe; nil when the message carries no
    /// pathway event or no patient identity (nothing to follow).
    public init?(facts: AuditFacts, partner: String, messageId: String, receivedAt: Date, pseudonymizer: Pseudonymizer) {
        // The daemon hands in facts whose identity is already a pseudonym; tests may pass the number.
        guard let detail = facts.pathwayDetail,
              let pseudonym = facts.patientPseudonym ?? facts.patientIdent.flatMap({ $0.isEmpty ? nil : pseudonymizer.pseudonym(for: $0) })
        else { return nil }
        self.init(messageId: messageId, pseudonym: pseudonym, pathway: detail.pathway,
                  event: detail.event, type: detail.type, eventDate: detail.eventDate, diagnosisDate: detail.diagnosisDate,
                  kommune: facts.kommune, partner: partner, msgId: facts.msgId, receivedAt: receivedAt)
    }
}
