import Foundation
#if !PATHWAY_GATEWAY_FUZZ
@testable import PathwayGateway
#endif

/// What must hold for ANY bytes dropped into an inbox, checked without a spool: the libFuzzer
/// target (fuzz/FuzzEntry.swift, compiled together with the library and this file) and the
/// regression tests for its findings (FuzzRegressionTests) use this one definition.
///
/// 1. Nothing traps: the hardened parser, both schema policies, the MsgHead/AppRec/Dialogmelding
///    decoders (also on schema-invalid trees), header salvage and lenient repair.
/// 2. The pipeline always decides: `MessageProcessor.plan` never throws (a throw stops the daemon
///    and, since the file is retried at restart, would stop it again: a poison message), and
///    every decision has exactly one destination — archive when accepted, quarantine when rejected.
/// 3. What the gateway writes is valid: every AppRec and routed message it plans passes our own
///    strict validation; an AppRec is never answered with an AppRec (it may be relayed: the
///    receiver's bytes, not the gateway's); a delivered message gets no AppRec from the gateway.
/// 4. Lenient accepts everything strict accepts.
/// 5. Privacy: the patient's identity number never appears in the audit facts, nor in a notice or
///    reason file (operators and logs see those).
enum PipelineOracle {
    struct Context {
        let validator: MessageValidator
        let processor: MessageProcessor
        let strict: Partner
        let lenient: Partner

        init(schemas: SchemaSet) {
            validator = MessageValidator(schemas: schemas)
            let config = DefaultConfig.load(currentDirectory: "/nonexistent")
            processor = MessageProcessor(config: config, validator: validator)
            strict = config.partners.first { $0.schemaPolicy == .strict }!
            lenient = config.partners.first { $0.schemaPolicy == .lenient }!
        }
    }

    /// Broken properties already reported to the lead (docs/proof.md, "Findings"), by a name and
    /// a test on the violation's text. The fuzz target counts them and fuzzes on (set
    /// PATHWAY_GATEWAY_FUZZ_STRICT=1 to stop on them too); the regression tests expect them under
    /// `withKnownIssue`, so a fix shows up as a test to update.
    static let knownIssues: [(name: String, matches: @Sendable (String) -> Bool)] = [
        // None open: apprec-echoes-invalid-gendate is fixed (AppRecFactory and HeaderSalvage check xs:dateTime).
    ]

    /// The known issue a violation belongs to, if any.
    static func knownIssue(_ violation: String) -> String? { knownIssues.first { $0.matches(violation) }?.name }

    /// Every broken property, one line each (empty: all hold).
    static func violations(of bytes: [UInt8], in context: Context) -> [String] {
        var found: [String] = []
        _ = HeaderSalvage(scanning: bytes)
        var identity: String?
        if let document = try? SafeXMLParser.parse(bytes) {
            let head = MsgHead(document.root)
            _ = AppRec(document.root)
            identity = head.patient?.personalIdent?.id
            let copy = document.copy()
            if !LenientRepair.repair(copy).isEmpty { _ = context.validator.schemas.validate(copy) }
        }
        let strictResult = context.validator.validate(bytes, policy: .strict)
        if case .success = strictResult, case .failure(let rejection) = context.validator.validate(bytes, policy: .lenient) {
            found.append("strict accepts, lenient rejects: \(rejection.code.rawValue) \(rejection.reason)")
        }
        let isAppRec = if case .success(let message) = strictResult, case .appRec = message.content { true } else { false }
        // The strict partner with nothing stored; the lenient one as if every key had been seen.
        for (partner, lookups) in [(context.strict, emptyLookups), (context.lenient, knownLookups(for: bytes))] {
            let input = MessageProcessor.Input(partner: partner, fileName: "fuzz.xml", messageId: "0f0f0f0f-fuzz", bytes: bytes,
                                               sha256: SHA256.hex(bytes), now: Date(timeIntervalSince1970: 1_790_000_000),
                                               newId: { UUID().uuidString.lowercased() })
            let plan: ProcessingPlan
            do { plan = try context.processor.plan(input, lookups: lookups) } catch {
                found.append("\(partner.id): plan threw \(error)")
                continue
            }
            found += check(plan, partner: partner.id, isAppRec: isAppRec, identity: identity, context: context)
        }
        return found
    }

    private static func check(_ plan: ProcessingPlan, partner: String, isAppRec: Bool, identity: String?, context: Context) -> [String] {
        var found: [String] = []
        let decision = plan.decision
        let quarantined = decision.destination?.hasPrefix("quarantine/") == true
        let archived = decision.destination?.hasPrefix("archive/") == true
        if decision.outcome == .rejected ? !quarantined : !archived {
            found.append("\(partner): outcome \(decision.outcome.rawValue) goes to \(decision.destination ?? "nowhere")")
        }
        if isAppRec && decision.appRec != nil && decision.outcome != .rejected {
            found.append("\(partner): an AppRec answered with an AppRec")
        }
        if !decision.routed.isEmpty && decision.appRec != nil {
            found.append("\(partner): a delivered message answered by the gateway")
        }
        // A relayed AppRec is the receiver's own bytes (checked when it came in), not the gateway's.
        for output in decision.outputs() where output.kind != .notice && !decision.followUps.map(\.output).contains(output) {
            switch context.validator.validate(output.bytes, policy: .strict) {
            case .success(let message):
                let isReceipt = if case .appRec = message.content { true } else { false }
                if isReceipt != (output.kind == .apprec) { found.append("\(partner): \(output.path) has the wrong root") }
            case .failure(let rejection):
                found.append("\(partner): the gateway's own \(output.kind.rawValue) fails validation: "
                             + "\(rejection.code.rawValue) \(rejection.reason.prefix(300))")
            }
        }
        if let identity, identity.count >= 11, identity.allSatisfy(\.isNumber) {
            let facts = plan.facts
            let exposed = (facts.errors + facts.warnings + facts.routedTo).contains { $0.contains(identity) }
                || decision.outputs().contains { $0.kind == .notice && String(decoding: $0.bytes, as: UTF8.self).contains(identity) }
            if exposed { found.append("\(partner): the identity number appears in the audit facts or a notice") }
        }
        return found
    }

    /// The AppRec a duplicate is answered with again (a valid one, so the output check holds).
    static let storedAppRec = AppRecEncoder.encode(AppRec(
        version: .v1_1, genDate: "2026-11-23T12:00:00", id: "stored-receipt",
        sender: .init(institution: .init(name: "Forløpsgateway Helse Vest", herId: "8150001")),
        receiver: .init(institution: .init(name: "Haraldsplass Diakonale Sykehus", herId: "8150020")), status: .ok, errors: [],
        originalMsgId: .init(msgType: CodedValue(v: "DIALOG_HELSEFAGLIG"), issueDate: "2026-11-23T10:00:00", id: "first")))

    static var emptyLookups: MessageProcessor.Lookups { MessageProcessor.Lookups(firstMessage: { _, _ in nil }, routedMessage: { _, _, _, _ in nil }) }

    /// Lookups that find a first message (same content, with a stored AppRec) for every key and a
    /// routed message for every AppRec: the duplicate and receipt-matching paths.
    static func knownLookups(for bytes: [UInt8]) -> MessageProcessor.Lookups {
        let sha = SHA256.hex(bytes)
        let stored = AppRecRecord(receiptId: "stored-receipt", status: 1, bytes: storedAppRec,
                                               path: "outbound/x/stored.apprec.xml")
        return MessageProcessor.Lookups(
            firstMessage: { _, _ in MessageStore.FirstMessage(messageId: "first", sha256: sha, outcome: .accepted, appRec: stored) },
            routedMessage: { msgId, _, _, _ in
                MessageStore.RoutedMessage(id: 1, routedMsgId: msgId, messageId: "first", targetPartner: "bergen-kommune",
                                           targetHerId: "8150101", path: "outbound/bergen-kommune/x.xml", state: .written,
                                           receiverStatus: nil, receiverErrorCode: nil, receiverErrorText: nil,
                                           senderHerId: "8150020", senderPartner: "haraldsplass", originalMsgId: msgId)
            })
    }
}
