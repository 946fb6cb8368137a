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
        outbound = OutboundMessageBuilder(gateway: .init(name: config.gateway.name, herId: config.gateway.herId))
    }

    /// What the pipeline may ask of the store while deciding.
    struct Lookups {
        var firstMessage: (_ senderHerId: String, _ msgId: String) throws -> MessageStore.FirstMessage?
        /// The copy routed under `msgId`, to `partnerId` (nil: any partner), from `fromHerId` (nil: any).
        var routedMessage:
            (_ msgId: String, _ partnerId: String?, _ fromHerId: String?) throws -> MessageStore.RoutedMessage?
        /// Whether a spool-relative output name is taken (only names not built from the gateway's
        /// id can be: the `<file>.rejected.txt` notice).
        var outputExists: (_ path: String) -> Bool

        init(
            firstMessage: @escaping (String, String) throws -> MessageStore.FirstMessage?,
            routedMessage: @escaping (String, String?, String?) throws -> MessageStore.RoutedMessage?,
            outputExists: @escaping (String) -> Bool = { _ in false }
        ) {
            self.firstMessage = firstMessage
            self.routedMessage = routedMessage
            self.outputExists = outputExists
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
            return duplicate(of: first, head: head, sender: sender, input, paths)
        }
        var facts = facts(for: head, sender: sender)
        facts.warnings = warnings
        let event = rules.event(for: head.dialogmelding)
        facts.pathwayEvent = event?.code
        facts.pathwayDetail = rules.detail(for: head, receivedAt: input.now)
        let route: Router.Decision
        do { route = try router.decide(head, event: event, senderPartner: input.partner.id) } catch {
            var plan = reject(error, input, paths)
            plan.facts.pathwayEvent = event?.code  // known: E21 for a pathway message (the report counts them)
            return plan
        }
        var routed: [RoutedPlan] = []
        if case let .route(target) = route {
            let routedId = input.newId()
            let bytes = try outbound.build(
                from: document, source: source, msgId: routedId,
                genDate: Timestamp.osloLocal(input.now), to: target.contactPoint)
            routed.append(
                .init(
                    routedMsgId: routedId, targetPartner: target.partnerId, targetHerId: target.herId,
                    path: SpoolPaths.outbound(target.partnerId, "\(routedId).xml"), bytes: bytes))
            facts.routedTo = ["\(target.partnerId)/\(target.herId) (\(target.reason))"]
        }
        let appRec = appRecs.appRec(
            answering: appRecs.original(of: head, now: input.now), id: input.newId(), now: input.now, rejection: nil)
        return ProcessingPlan(
            decision: .init(
                outcome: .accepted, senderHerId: sender, msgId: head.msgId, msgType: head.typeCode,
                registersKey: true, appRec: record(appRec, paths), routed: routed, destination: paths.archive),
            receiverAppRec: nil, facts: facts)
    }

    /// 6: same (sender, MsgId) again — same content gets the stored AppRec byte for byte, different
    /// content is refused with E10.
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

    private func duplicate(
        of first: MessageStore.FirstMessage, head: MsgHead, sender: String, _ input: Input,
        _ paths: SpoolPaths
    ) -> ProcessingPlan {
        guard first.sha256 == input.sha256, let stored = first.appRec else {
            return reject(
                Rejection(
                    .invalidMessageId, "MsgId \(head.msgId) was already used by this sender for different content",
                    subject: .msgHead(head)), input, paths, registerKey: false)
        }
        var again = stored
        again.path = paths.appRec
        var facts = facts(for: head, sender: sender)
        facts.errors = ["duplicate of message \(first.messageId); the same AppRec \(stored.receiptId) is sent again"]
        return ProcessingPlan(
            decision: .init(
                outcome: .duplicate, senderHerId: sender, msgId: head.msgId, msgType: head.typeCode,
                duplicateOf: first.messageId, appRec: again, destination: paths.archive),
            receiverAppRec: nil, facts: facts)
    }

    /// 7: a municipality's AppRec — matched to what we routed, recorded, never answered.
    private func receive(_ appRec: AppRec, _ input: Input, _ paths: SpoolPaths, _ lookups: Lookups) throws
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
        let routed =
            try lookups.routedMessage(original, partner, sender) ?? lookups.routedMessage(original, partner, nil)
        let status = Int(appRec.statusCode) ?? 0
        let error = appRec.errors.first
        if routed == nil, let elsewhere = try lookups.routedMessage(original, nil, nil) {
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
        return ProcessingPlan(
            decision: .init(
                outcome: .appRecReceived, senderHerId: sender, msgId: appRec.id, msgType: "APPREC",
                errorCode: error?.code, errorText: error?.description, destination: paths.archive),
            receiverAppRec: routed.map {
                .init(routedId: $0.id, status: status, errorCode: error?.code, errorText: error?.description)
            },
            facts: facts)
    }

    /// Steps 1–5 and 8's failures: Avvist with the code, or a plain-text notice when no MsgId is known.
    /// `registerKey`: whether this message claims its (sender, MsgId), so a resend gets the same
    /// answer; not for spoofed senders nor for a reused MsgId (the key belongs to the first).
    private func reject(
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
    private func senderHerId(_ herIds: [String], _ partner: Partner) -> String? {
        herIds.reversed().first { partner.herIds.contains($0) }
    }

    private func facts(for head: MsgHead, sender: String?) -> AuditFacts {
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
