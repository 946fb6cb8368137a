/// The pipeline's part in conversations (spec §7): a receiver's AppRec relayed to the original
/// sender, a reply sent back to the sender of the message it names, and a resend of a delivered
/// message answered from what the receiver has (and has not) taken.
extension MessageProcessor {
    // MARK: Replies

    /// §4.8: the sender of the delivered message a reply names (`ConversationRef/RefToParent`),
    /// when that message went to this inbox's partner (nobody else's copy can be answered from
    /// here). Receiver: the original Sender's organisations, as the store kept them, else (a copy
    /// of an earlier version) as the archived original names them, else the partner's
    /// organisation around the sender's HER-id (the original is gone).
    func replyTarget(_ head: MsgHead, _ input: Input, _ lookups: Lookups) throws -> RouteTarget? {
        guard let parent = head.conversationRef?.refToParent, !parent.isEmpty,
            let delivered = try lookups.routedMessage(parent, input.partner.id, nil, nil)
        else { return nil }
        let chain = delivered.senderChain ?? archivedChain(delivered, lookups) ?? fallbackChain(delivered)
        return RouteTarget(
            partnerId: delivered.senderPartner, herId: chain.last?.herId ?? delivered.senderHerId,
            name: chain.last?.name ?? "", parent: nil, reason: "reply to MsgId \(parent)", chain: chain)
    }

    private func archivedChain(_ delivered: MessageStore.RoutedMessage, _ lookups: Lookups)
        -> [OutboundMessageBuilder.Party]?
    {
        let chain = lookups.archivedHead(delivered.messageId)?.sender.partyChain ?? []
        return chain.isEmpty ? nil : chain
    }

    private func fallbackChain(_ delivered: MessageStore.RoutedMessage) -> [OutboundMessageBuilder.Party] {
        let partner = config.partner(forInbox: delivered.senderPartner)
        let name = partner?.name ?? delivered.senderPartner
        let outer = partner?.herIds.first ?? delivered.senderHerId
        let unit = OutboundMessageBuilder.Party(name: name, herId: delivered.senderHerId)
        return outer == delivered.senderHerId ? [unit] : [.init(name: name, herId: outer), unit]
    }

    // MARK: Resends

    /// 6 for a message the gateway delivered (§7 "Resends"); every other resend, and other
    /// content, as `duplicate` decides. Per delivered copy:
    /// - answered: nothing new while the relayed AppRec is unread in the sender's outbound, else
    ///   the same bytes relayed once more;
    /// - not answered: nothing new while the copy is unread in the receiver's outbound, else the
    ///   same copy delivered once more (the receiver de-duplicates on MsgId, as the standard asks).
    func resend(
        of first: MessageStore.FirstMessage, head: MsgHead, sender: String, document: XMLDocumentHandle,
        source: [UInt8]?, _ input: Input, _ paths: SpoolPaths, _ lookups: Lookups
    ) throws -> ProcessingPlan {
        var plan = duplicate(of: first, head: head, sender: sender, input, paths)
        guard plan.decision.outcome == .duplicate, first.appRec == nil else { return plan }
        let deliveries = try lookups.deliveries(first.messageId)
        guard !deliveries.isEmpty else { return plan }
        var notes: [String] = []
        for delivery in deliveries {
            if delivery.answered {
                notes.append(relayAgain(delivery, input, lookups, into: &plan.decision.followUps))
            } else {
                notes.append(
                    try deliverAgain(
                        delivery, head: head, document: document, source: source, input, lookups,
                        into: &plan.decision.followUps))
            }
        }
        plan.facts.errors = notes.map { "resend of message \(first.messageId): \($0)" }
        return plan
    }

    private func relayAgain(
        _ delivery: MessageStore.Delivery, _ input: Input, _ lookups: Lookups, into followUps: inout [FollowUp]
    ) -> String {
        guard let relay = delivery.relay else {
            return "answered by the receiver before this version relayed AppRecs; nothing new is sent"
        }
        if relay.pending || lookups.outputExists(relay.path) {
            return "the receiver's AppRec (\(relay.path)) is still unread; nothing new is sent"
        }
        let path = SpoolPaths.outbound(input.partner.id, "\(input.messageId).apprec.xml")
        followUps.append(
            FollowUp(
                kind: .relay, routedId: delivery.routedId, output: .init(kind: .apprec, path: path, bytes: relay.bytes),
                seen: relay.path))
        return "the receiver's AppRec was taken; relayed once more"
    }

    private func deliverAgain(
        _ delivery: MessageStore.Delivery, head: MsgHead, document: XMLDocumentHandle, source: [UInt8]?,
        _ input: Input, _ lookups: Lookups, into followUps: inout [FollowUp]
    ) throws -> String {
        if delivery.copyPending || lookups.outputExists(delivery.path) {
            return
                "the delivered copy (\(delivery.path)) is still unread by \(delivery.targetPartner); nothing new is sent"
        }
        // The same target as the first time: the same bytes (routing and the builder are pure).
        let event = rules.event(for: head.dialogmelding)
        let replyTo = try replyTarget(head, input, lookups)
        guard
            case let .route(target)? = try? router.decide(
                head, event: event, senderPartner: input.partner.id, replyTo: replyTo),
            target.partnerId == delivery.targetPartner, target.herId == delivery.targetHerId
        else {
            return
                "the delivered copy was taken and never answered, but routing has changed since "
                + "(\(delivery.targetPartner)/\(delivery.targetHerId) no longer the target); nothing is delivered again"
        }
        let copy = try copy(of: head, document: document, source: source, to: target, input)
        followUps.append(
            FollowUp(
                kind: .redelivery, routedId: delivery.routedId,
                output: .init(kind: .routed, path: copy.path, bytes: copy.bytes), seen: delivery.path))
        return "the delivered copy was taken and never answered; delivered once more"
    }

    // MARK: Receipts

    /// 7: a municipality's AppRec — matched to what we routed, recorded, never answered.
    func receive(_ appRec: AppRec, _ input: Input, _ paths: SpoolPaths, _ lookups: Lookups) throws
        -> ProcessingPlan
    {
        var facts = AuditFacts(
            msgId: appRec.id, msgType: "APPREC", sender: appRec.sender.innermostHerId,
            receiver: appRec.receiver.innermostHerId)
        facts.refMsgId = appRec.originalMsgId.id
        guard let sender = senderHerId(appRec.sender.herIds, input.partner) else {
            return reject(
                Rejection(.other, "AppRec sender not registered for this inbox", subject: .appRec(appRec)),
                input, paths, security: true)
        }
        // Only a copy delivered to this inbox's partner can be answered from it; the sender's own
        // HER-id picks among several, any of the partner's HER-ids will do otherwise.
        let original = appRec.originalMsgId.id
        let partner = input.partner.id
        let routed = try match(appRec, sender: sender, partner: partner, lookups)
        let status = Int(appRec.statusCode) ?? 0
        let error = appRec.errors.first
        if routed == nil, let elsewhere = try lookups.routedMessage(original, nil, nil, nil) {
            // Another partner's message: recorded and archived, never matched, flagged for security.
            facts.errors = [
                "answers MsgId \(original), which the gateway routed to \(elsewhere.targetPartner), not to \(partner)"
            ]
            facts.security = true
        } else {
            facts.errors =
                routed == nil
                ? ["answers MsgId \(original), which the gateway did not route"]
                : appRec.errors.map { "\($0.code) \(Redaction.maskQuotedValues($0.description))" }
        }
        var decision = Decision(
            outcome: .appRecReceived, senderHerId: sender, msgId: appRec.id, msgType: "APPREC",
            errorCode: error?.code, errorText: error?.description, destination: paths.archive)
        // The first answer stands and is the one relayed: the same AppRec again, or another one for
        // a copy already answered, is recorded and archived only (the sender gets one receipt).
        if let routed, let first = routed.answeredBy {
            facts.errors.append(
                first == appRec.id
                    ? "the same AppRec again: relayed when it first came, not again"
                    : "MsgId \(original) was already answered by AppRec \(first): recorded, not relayed")
            return ProcessingPlan(decision: decision, receiverAppRec: nil, facts: facts)
        }
        // An AppRec for a message the gateway itself sent (a reminder, §9) is recorded, not relayed.
        if let routed, routed.senderPartner == Partner.internalId {
            facts.errors.append("answers a reminder the gateway sent: recorded, not relayed")
        } else if let routed {
            decision.followUps = [relay(appRec, input, answering: routed)]
        }
        return ProcessingPlan(
            decision: decision,
            receiverAppRec: routed.map {
                .init(routedId: $0.id, status: status, errorCode: error?.code, errorText: error?.description)
            },
            facts: facts)
    }

    /// The delivered copy an AppRec from `partner` answers: its OriginalMsgId, delivered to this
    /// partner; the AppRec's own sender HER-id, then its Receiver (the original sender, when two
    /// senders used one MsgId) pick among several, and either may be absent from the match (a copy
    /// of an earlier version was answered to the gateway, not to its sender).
    private func match(_ appRec: AppRec, sender: String, partner: String, _ lookups: Lookups) throws
        -> MessageStore.RoutedMessage?
    {
        let original = appRec.originalMsgId.id
        let receiver = appRec.receiver.innermostHerId
        let narrowest: [(from: String?, to: String?)] = [
            (sender, receiver), (nil, receiver), (sender, nil), (nil, nil),
        ]
        for (from, to) in narrowest {
            if let found = try lookups.routedMessage(original, partner, from, to) { return found }
        }
        return nil
    }

    /// The receiver's AppRec as the original sender gets it: its exact bytes, in that partner's
    /// outbound under this message's gateway id. A copy sent by a version before v8 carried a
    /// gateway MsgId, which the original sender never knew: that AppRec's OriginalMsgId/Id is
    /// mapped back to the original's MsgId in its bytes (the only change; re-encoded only when the
    /// bytes cannot be spliced).
    private func relay(_ appRec: AppRec, _ input: Input, answering routed: MessageStore.RoutedMessage)
        -> FollowUp
    {
        var bytes = input.bytes
        if routed.originalMsgId != routed.routedMsgId {
            var mapped = appRec
            mapped.originalMsgId.id = routed.originalMsgId
            bytes =
                AppRec.replacingOriginalMsgId(in: input.bytes, from: routed.routedMsgId, to: routed.originalMsgId)
                ?? AppRecEncoder.encode(mapped)
        }
        let path = SpoolPaths.outbound(routed.senderPartner, "\(input.messageId).apprec.xml")
        return FollowUp(
            kind: .relay, routedId: routed.id, output: PlannedOutput(kind: .apprec, path: path, bytes: bytes), seen: nil
        )
    }

}
