import Foundation

/// The per-message pipeline of spec §4, top to bottom, as one pure function: bytes in, a
/// `ProcessingPlan` out. No I/O — the spool, clock and store lookups are handed in — so the same
/// decision is made by the daemon, by `replay` and by the tests.
///
/// Order: validate → sender check → duplicate check → AppRec handling → pathway event → routing →
/// AppRec. The first failing step decides the answer.
struct MessageProcessor: Sendable {
    let config: GatewayConfig
    let validator: MessageValidator
    let rules: PathwayRules
    let appRecs: AppRecFactory
    let router: Router
    let outbound: OutboundMessageBuilder
    /// Replaces the patient's identity number by its keyed pseudonym as the facts are made, so no
    /// plan leaving the processor carries the number (nil: the facts keep it, for tests and for
    /// `state rebuild`, which checks the pseudonyms itself).
    let pseudonymizer: Pseudonymizer?

    init(
        config: GatewayConfig, validator: MessageValidator, rules: PathwayRules? = nil,
        pseudonymizer: Pseudonymizer? = nil
    ) {
        self.config = config
        self.pseudonymizer = pseudonymizer
        self.validator = validator
        self.rules = rules ?? PathwayRules(config.pathways)
        appRecs = AppRecFactory(gateway: config.gateway)
        router = Router(config: config)
        outbound = OutboundMessageBuilder()
    }

    /// What the pipeline may ask of the store while deciding.
    struct Lookups {
        var firstMessage: (_ senderHerId: String, _ msgId: String) throws -> MessageStore.FirstMessage?
        /// The copy routed under `msgId`, to `partnerId` (nil: any partner), answered from `fromHerId`
        /// (nil: any), originally sent by `toHerId` (nil: any).
        var routedMessage:
            (_ msgId: String, _ partnerId: String?, _ fromHerId: String?, _ toHerId: String?) throws ->
                MessageStore.RoutedMessage?
        /// Whether a spool-relative output name is taken: the `<file>.rejected.txt` notice (the
        /// only name not built from the gateway's id), and whether a partner has taken a delivered
        /// file from its outbound yet (a resend, spec §7).
        var outputExists: (_ path: String) -> Bool
        /// The copies of a message the gateway delivered, for a resend of it.
        var deliveries: (_ messageId: String) throws -> [MessageStore.Delivery]
        /// A message's archived original (nil: gone), for a reply to a copy of an earlier version,
        /// whose Sender the store did not keep.
        var archivedHead: (_ messageId: String) -> MsgHead?

        init(
            firstMessage: @escaping (String, String) throws -> MessageStore.FirstMessage?,
            routedMessage: @escaping (String, String?, String?, String?) throws -> MessageStore.RoutedMessage?,
            outputExists: @escaping (String) -> Bool = { _ in false },
            deliveries: @escaping (String) throws -> [MessageStore.Delivery] = { _ in [] },
            archivedHead: @escaping (String) -> MsgHead? = { _ in nil }
        ) {
            self.firstMessage = firstMessage
            self.routedMessage = routedMessage
            self.outputExists = outputExists
            self.deliveries = deliveries
            self.archivedHead = archivedHead
        }
    }

    /// One inbound file: which partner's inbox, its name, the gateway's id for it, its bytes (with
    /// `readFailure` when it could not be read whole: none, or the start of an oversize file).
    struct Input {
        var partner: Partner
        var fileName: String
        var messageId: String
        var bytes: [UInt8]
        var sha256: String
        var readFailure: String?
        var now: Date
        var newId: () -> String

        init(
            partner: Partner, fileName: String, messageId: String, bytes: [UInt8], sha256: String,
            readFailure: String? = nil, now: Date, newId: @escaping () -> String
        ) {
            self.partner = partner
            self.fileName = fileName
            self.messageId = messageId
            self.bytes = bytes
            self.sha256 = sha256
            self.readFailure = readFailure
            self.now = now
            self.newId = newId
        }
    }

    /// The decision for one file with its audit facts complete: the gateway's id for the file on
    /// every record, the patient as a pseudonym (with a `pseudonymizer`).
    func plan(_ input: Input, lookups: Lookups) throws -> ProcessingPlan {
        var plan = try decide(input, lookups: lookups)
        plan.facts.gatewayId = input.messageId
        return plan
    }

    private func decide(_ input: Input, lookups: Lookups) throws -> ProcessingPlan {
        let paths = SpoolPaths(
            partner: input.partner.id, messageId: input.messageId, fileName: input.fileName,
            isTaken: lookups.outputExists)
        // 1, 3, 4, 5: readable, supported, schema-valid, semantically sound.
        let validated: ValidatedMessage
        if let failure = input.readFailure {
            // `bytes` then holds what could be read of it (the start of an oversize file).
            let salvage = HeaderSalvage(scanning: input.bytes)
            return reject(
                Rejection(.notWellFormed, failure, subject: salvage.map { .salvaged($0) } ?? .unknown), input, paths)
        }
        switch validator.validate(input.bytes, fileName: input.fileName, policy: input.partner.schemaPolicy) {
        case let .success(message): validated = message
        case let .failure(rejection): return try rejectUnlessResent(rejection, input, paths, lookups)
        }
        switch validated.content {
        case let .appRec(appRec): return try receive(appRec, input, paths, lookups)
        case let .business(head):
            return try accept(
                head, warnings: validated.warnings, document: validated.document,
                source: validated.repaired ? nil : input.bytes, input, paths, lookups)
        }
    }

    /// 2, 6, 8: sender check, duplicate check, pathway event, routing, AppRec OK.
    private func accept(
        _ head: MsgHead, warnings: [String], document: XMLDocumentHandle, source: [UInt8]?, _ input: Input,
        _ paths: SpoolPaths, _ lookups: Lookups
    ) throws -> ProcessingPlan {
        guard let sender = senderHerId(head.sender.allHerIds, input.partner) else {
            return reject(
                Rejection(.other, "sender not registered for this inbox", subject: .msgHead(head)), input, paths,
                security: true)
        }
        if let first = try lookups.firstMessage(sender, head.msgId) {
            return try resend(
                of: first, head: head, sender: sender, document: document, source: source, input, paths, lookups)
        }
        var facts = facts(for: head, sender: sender)
        facts.warnings = warnings
        let event = rules.event(for: head.dialogmelding)
        facts.pathwayEvent = event?.code
        facts.pathwayDetail = rules.detail(for: head, receivedAt: input.now)
        let replyTo = try replyTarget(head, input, lookups)
        let route: Router.Decision
        do { route = try router.decide(head, event: event, senderPartner: input.partner.id, replyTo: replyTo) } catch {
            var plan = reject(error, input, paths)
            plan.facts.pathwayEvent = event?.code  // known: E21 for a pathway message (the report counts them)
            return plan
        }
        var routed: [RoutedPlan] = []
        if case let .route(target) = route {
            routed.append(try copy(of: head, document: document, source: source, to: target, input))
            facts.routedTo = ["\(target.partnerId)/\(target.herId) (\(target.reason))"]
        }
        // Delivered: the receiver answers (§7). The gateway answers only as the final receiver.
        let appRec =
            routed.isEmpty
            ? appRecs.appRec(
                answering: appRecs.original(of: head, now: input.now), id: input.newId(), now: input.now,
                rejection: nil)
            : nil
        return ProcessingPlan(
            decision: .init(
                outcome: .accepted, senderHerId: sender, msgId: head.msgId, msgType: head.typeCode,
                registersKey: true, appRec: appRec.map { record($0, paths) }, routed: routed,
                destination: paths.archive),
            receiverAppRec: nil, facts: facts)
    }

    /// The copy delivered to `target`: the sender's MsgId kept, its file named by a gateway id (two
    /// senders' equal MsgIds never collide in one outbound directory), the Receiver replaced only
    /// when the gateway chose it.
    func copy(
        of head: MsgHead, document: XMLDocumentHandle, source: [UInt8]?, to target: RouteTarget, _ input: Input
    ) throws -> RoutedPlan {
        let chosen = head.receiver.innermostHerId == target.herId ? nil : target.contactPoint
        return RoutedPlan(
            routedMsgId: head.msgId, targetPartner: target.partnerId, targetHerId: target.herId,
            path: SpoolPaths.outbound(target.partnerId, "\(input.newId()).xml"),
            bytes: try outbound.build(from: document, source: source, to: chosen),
            senderChain: head.sender.partyChain)
    }

    /// 6 before 3–5: a message refused on its content whose (sender, MsgId) is already known is a
    /// resend: the same content gets the first answer again (its AppRec, byte for byte), other
    /// content E10. Deciding it afresh would register the key a second time, which the store
    /// refuses, and the batch would re-plan the same refusal for ever.
    private func rejectUnlessResent(_ rejection: Rejection, _ input: Input, _ paths: SpoolPaths, _ lookups: Lookups)
        throws
        -> ProcessingPlan
    {
        guard case let .msgHead(head) = rejection.subject, !head.msgId.isEmpty,
            let sender = senderHerId(head.sender.allHerIds, input.partner),
            let first = try lookups.firstMessage(sender, head.msgId)
        else { return reject(rejection, input, paths) }
        return duplicate(of: first, head: head, sender: sender, input, paths)
    }

    /// 6: same (sender, MsgId) again — same content gets the stored AppRec byte for byte when the
    /// gateway answered it itself; a delivered message's resend gets nothing new (audited as a
    /// resend: the receiver's answer is relayed when it comes). Different content is refused with E10.
    func duplicate(
        of first: MessageStore.FirstMessage, head: MsgHead, sender: String, _ input: Input,
        _ paths: SpoolPaths
    ) -> ProcessingPlan {
        guard first.sha256 == input.sha256, first.appRec != nil || first.outcome == .accepted else {
            return reject(
                Rejection(
                    .invalidMessageId, "MsgId \(head.msgId) was already used by this sender for different content",
                    subject: .msgHead(head)), input, paths, registerKey: false)
        }
        var again = first.appRec
        again?.path = paths.appRec
        var facts = facts(for: head, sender: sender)
        facts.errors = [
            again.map { "duplicate of message \(first.messageId); the same AppRec \($0.receiptId) is sent again" }
                ?? "resend of message \(first.messageId), delivered before; nothing new is sent"
        ]
        return ProcessingPlan(
            decision: .init(
                outcome: .duplicate, senderHerId: sender, msgId: head.msgId, msgType: head.typeCode,
                duplicateOf: first.messageId, appRec: again, destination: paths.archive),
            receiverAppRec: nil, facts: facts)
    }

    /// Steps 1–5 and 8's failures: Avvist with the code, or a plain-text notice when no MsgId is known.
    /// `registerKey`: whether this message claims its (sender, MsgId), so a resend gets the same
    /// answer; not for spoofed senders nor for a reused MsgId (the key belongs to the first).
    func reject(
        _ rejection: Rejection, _ input: Input, _ paths: SpoolPaths, security: Bool = false,
        registerKey: Bool = true
    ) -> ProcessingPlan {
        let summary = "\(rejection.code.rawValue) \(rejection.redactedReason)"
        var facts = AuditFacts()
        var original: AppRecFactory.Original?
        var decision = Decision(
            outcome: .rejected, errorCode: rejection.code.rawValue,
            errorText: rejection.redactedReason, destination: paths.quarantine)
        switch rejection.subject {
        case let .msgHead(head):
            facts = self.facts(for: head, sender: nil)
            original = appRecs.original(of: head, now: input.now)
            decision.msgId = head.msgId
            decision.msgType = head.typeCode
            decision.senderHerId = senderHerId(head.sender.allHerIds, input.partner)
            decision.registersKey = registerKey && !security && decision.senderHerId != nil && !head.msgId.isEmpty
        case let .salvaged(salvage):
            original = appRecs.original(of: salvage, partner: input.partner, now: input.now)
            facts.msgId = salvage.msgId
        case let .appRec(appRec):  // recorded, never answered with another AppRec
            facts.msgId = appRec.id
            facts.msgType = "APPREC"
            decision.msgId = appRec.id
            decision.msgType = "APPREC"
        case .unknown:
            break
        }
        facts.errors = [summary]
        facts.security = security
        if let original, !original.msgId.isEmpty {
            let appRec = appRecs.appRec(answering: original, id: input.newId(), now: input.now, rejection: rejection)
            decision.appRec = record(appRec, paths)
        } else if case .unknown = rejection.subject {
            decision.notices.append(paths.rejectedNotice(rejection))  // no MsgId: no AppRec is possible
        }
        decision.notices.append(paths.reasonFile(summary))
        return ProcessingPlan(decision: decision, receiverAppRec: nil, facts: facts)
    }

    /// A HER-id of the message's sender that belongs to the inbox's partner (innermost first).
    func senderHerId(_ herIds: [String], _ partner: Partner) -> String? {
        herIds.reversed().first { partner.herIds.contains($0) }
    }

    func facts(for head: MsgHead, sender: String?) -> AuditFacts {
        let ident = head.patient?.personalIdent?.id
        var facts = AuditFacts(
            msgId: head.msgId, msgType: head.typeCode, sender: sender ?? head.sender.innermostHerId,
            receiver: head.receiver.innermostHerId, kommune: head.patient?.kommune.map(config.resolvedKommune),
            patientIdent: pseudonymizer == nil ? ident : nil)
        facts.patientPseudonym = pseudonymizer.flatMap { key in ident.map(key.pseudonym(for:)) }
        return facts
    }

    private func record(_ appRec: AppRec, _ paths: SpoolPaths) -> AppRecRecord {
        .init(
            receiptId: appRec.id, status: Int(appRec.statusCode) ?? 0, errorCode: appRec.errors.first?.code,
            errorText: appRec.errors.first?.description, bytes: AppRecEncoder.encode(appRec), path: paths.appRec)
    }
}
