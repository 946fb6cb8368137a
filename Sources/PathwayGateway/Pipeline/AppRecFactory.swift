import Foundation

/// Builds the AppRec answering an inbound message, by the rules of spec §4: Sender = the original
/// receiver (the gateway), Receiver = the original sender, OriginalMsgId = the original Type,
/// GenDate (as IssueDate) and MsgId; an Error whenever the status is 2.
struct AppRecFactory: Sendable {
    let gateway: GatewayConfig.Identity
    let version: AppRec.Version

    init(gateway: GatewayConfig.Identity, version: AppRec.Version = .v1_1) {
        self.gateway = gateway
        self.version = version
    }

    /// What the answer refers to.
    struct Original: Sendable, Hashable {
        var type: CodedValue
        var genDate: String
        var msgId: String
        var sender: AppRecParty
    }

    /// A GenDate that is not a dateTime (the reason a message may be rejected) is not echoed: the
    /// AppRec's IssueDate is an xs:dateTime, and a schema-invalid receipt could be dropped by the
    /// sender's system. The processing time stands in for it.
    func original(of head: MsgHead, now: Date) -> Original {
        Original(
            type: head.type, genDate: XSDateTime.isValid(head.genDate) ? head.genDate : Timestamp.osloLocal(now),
            msgId: head.msgId, sender: AppRecParty(head.sender))
    }

    /// For a file that was not XML: only what scanning the text found, addressed to the partner.
    func original(of salvage: HeaderSalvage, partner: Partner, now: Date) -> Original {
        let date = salvage.genDate ?? Timestamp.osloLocal(now)
        return Original(
            type: CodedValue(v: salvage.typeCode ?? "UKJENT"), genDate: date, msgId: salvage.msgId,
            sender: AppRecParty(institution: .init(name: partner.name, herId: partner.herIds.first)))
    }

    func appRec(answering original: Original, id: String, now: Date, rejection: Rejection?) -> AppRec {
        let errors =
            rejection.map { [AppRec.ErrorEntry(code: $0.code.rawValue, description: Self.errorText($0))] } ?? []
        return AppRec(
            version: version, genDate: Timestamp.osloLocal(now), id: id,
            sender: AppRecParty(institution: .init(name: gateway.name, herId: gateway.herId)),
            receiver: original.sender, status: rejection == nil ? .ok : .rejected, errors: errors,
            originalMsgId: .init(
                msgType: CodedValue(v: original.type.v, dn: original.type.dn),
                issueDate: original.genDate, id: original.msgId))
    }

    /// The DN text: the code's meaning, then the specific reason (X99 carries free text there).
    static func errorText(_ rejection: Rejection) -> String {
        let text = "\(rejection.code.displayName): \(rejection.reason)"
        return text.count > 1_000 ? String(text.prefix(1_000)) + "…" : text
    }
}
