/// Decides where an accepted business message goes (spec §4.8 and §5). Pure: configuration in,
/// decision out, so every rule is testable without a spool.
///
/// - An event that routes to the kommune goes to the contact point for (patient's kommune after
///   aliases, the event's pathway), a specific pathway winning over `*`.
/// - Otherwise, or when no contact point exists, a Receiver whose innermost HER-id is a known
///   contact point or partner (not the gateway itself, not the sender) is the target.
/// - Otherwise a reply (`ConversationRef/RefToParent` naming a message the gateway delivered to
///   the sender) goes back to that message's sender: `replyTo`, found by the processor; a reply
///   to the gateway's own reminder is recorded (the gateway is its final receiver).
/// - An event that is only recorded (SP2, SP3) and addresses the gateway is not routed.
/// - Anything else is rejected with E21 and a reason that names what was missing.
struct Router: Sendable {
    enum Decision: Sendable, Hashable {
        case route(RouteTarget)
        case recordOnly
    }

    let config: GatewayConfig

    func decide(
        _ head: MsgHead, event: PathwayEvent?, senderPartner: String, replyTo: RouteTarget? = nil
    ) throws(Rejection) -> Decision {
        let subject = Rejection.Subject.msgHead(head)
        if let event, event.needsPatient, head.patient?.personalIdent == nil {
            throw Rejection(
                .patientIdMissing, "event \(event.code) needs the patient's fødselsnummer or D-nummer", subject: subject
            )
        }
        var missing: String?
        if let event, event.routesToKommune {
            if let kommune = head.patient?.kommune {
                let current = config.resolvedKommune(kommune)
                if let point = config.contactPoint(kommune: current, pathway: event.pathway) {
                    return .route(
                        target(point, reason: "contact point for kommune \(current), pathway \(event.pathway)"))
                }
                missing = "no contact point for kommune \(current), pathway \(event.pathway)"
            } else {
                missing =
                    "patient has no kommune (Patient/Address/County) to find the contact point for \(event.pathway)"
            }
        }
        if let receiver = receiverTarget(head, senderPartner: senderPartner) { return .route(receiver) }
        // A reply to the gateway's own message (a reminder, §9): the gateway is its final receiver.
        if let replyTo { return replyTo.partnerId == Partner.internalId ? .recordOnly : .route(replyTo) }
        if let missing { throw Rejection(.receiverNotFound, missing, subject: subject) }
        if event != nil { return .recordOnly }
        let herId = head.receiver.innermostHerId ?? "none"
        var reason = "receiver HER-id \(herId) is not a known contact point or partner"
        if let parent = head.conversationRef?.refToParent, !parent.isEmpty {
            reason += ", RefToParent \(parent) names no message the gateway delivered to \(senderPartner)"
        }
        throw Rejection(.receiverNotFound, reason + ", and the message carries no pathway event", subject: subject)
    }

    /// The Receiver as target when its innermost HER-id belongs to another partner.
    private func receiverTarget(_ head: MsgHead, senderPartner: String) -> RouteTarget? {
        guard let herId = head.receiver.innermostHerId, herId != config.gateway.herId,
            let partner = config.partner(owningHerId: herId), partner.id != senderPartner
        else { return nil }
        if let point = config.contactPoints.first(where: { $0.herId == herId }) {
            return target(point, reason: "Receiver \(herId)")
        }
        let parent = partner.herIds.first.flatMap {
            $0 == herId ? nil : OutboundMessageBuilder.Party(name: partner.name, herId: $0)
        }
        return RouteTarget(
            partnerId: partner.id, herId: herId,
            name: head.receiver.displayName.isEmpty ? partner.name : head.receiver.displayName,
            parent: parent, reason: "Receiver \(herId)")
    }

    /// A contact point under its organisation: the partner's first HER-id is the organisation's
    /// own, so a point that is the organisation itself (a `*` point, often) has no parent; another
    /// unit's HER-id is never put around it.
    func target(_ point: ContactPoint, reason: String) -> RouteTarget {
        let partner = config.partner(forInbox: point.partner)
        let parentHerId = partner?.herIds.first.flatMap { $0 == point.herId ? nil : $0 }
        let parent = partner.flatMap { p in parentHerId.map { OutboundMessageBuilder.Party(name: p.name, herId: $0) } }
        return RouteTarget(
            partnerId: point.partner, herId: point.herId, name: point.name, parent: parent, reason: reason)
    }
}
