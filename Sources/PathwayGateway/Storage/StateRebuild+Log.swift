import Foundation

extension StateRebuild {
    /// What the audit log says about one inbound message: its records by step (docs/audit.md).
    struct LoggedMessage {
        var id: String
        var firstSeq: Int
        /// The gateway id of the rejected message this one replays (its key was released).
        var replayOf: String?
        var received: AuditRecord?
        var routed: [AuditRecord] = []
        var appRec: AuditRecord?
        /// Copies a resend delivered once more (spec §7): the delivered message's latest file.
        var redelivered: [AuditRecord] = []
        /// Where the original went: `archive/…` or `quarantine/…`.
        var destination: String?

        /// The ids the pipeline drew for this message, in the order it drew them: the routed
        /// copies' file names (`<id>.xml`; before v8 the id was also the copy's MsgId), then the
        /// AppRec's (`MessageProcessor` asks for them in that order).
        var drawnIds: [String] {
            let files = routed.compactMap { $0.file?.split(separator: "/").last.map { String($0.dropLast(4)) } }
            return files + ((appRec?.msgId).map { [$0] } ?? [])
        }
    }

    /// What the log says, for a rebuild: every message, in the order they were decided (their
    /// first record's seq); how many records were read; the last showing of identities folded
    /// in (its place in `identity-access.log` and its line's SHA-256).
    struct Logged {
        var messages: [LoggedMessage]
        var records: Int
        var lastShowing: (offset: Int, sha256: String)?
    }

    /// Reads the whole log once. Only the fields a rebuild needs are kept.
    static func logged(in directory: AuditDirectory) throws -> Logged {
        var byId: [String: LoggedMessage] = [:]
        var records = 0
        var lastShowing: (offset: Int, sha256: String)?
        let showings = IdentityAccessFolding.place("")
        try AuditReader(directory: directory).forEachRecord { whole in
            records += 1
            if whole.event == IdentityAccessFolding.event, let file = whole.file, file.hasPrefix(showings),
                let offset = Int(file.dropFirst(showings.count)), let sha256 = whole.sha256
            {
                lastShowing = (offset, sha256)
            }
            guard let id = whole.gatewayId else { return }
            // A large log has hundreds of thousands of records: keep none of the chain's fields.
            var record = whole
            (record.prev, record.hash, record.warnings, record.routedTo) = ("", "", [], [])
            var message = byId[id] ?? LoggedMessage(id: id, firstSeq: record.seq)
            switch record.event {
            case "replay": message.replayOf = record.errors.first.flatMap(replayedId)
            case "received": message.received = record
            case "routed": message.routed.append(record)
            case "apprec-sent": message.appRec = record
            case "redelivered": message.redelivered.append(record)
            case "archived", "quarantined": message.destination = record.file
            default: break
            }
            byId[id] = message
        }
        return Logged(
            messages: byId.values.sorted { $0.firstSeq < $1.firstSeq }, records: records, lastShowing: lastShowing)
    }

    /// `X` in "replay of gateway message X, requested by an operator" (`AuditTrail`).
    static func replayedId(_ text: String) -> String? {
        let prefix = "replay of gateway message "
        guard text.hasPrefix(prefix) else { return nil }
        return text.dropFirst(prefix.count).split(separator: ",").first.map(String.init)
    }

    /// "CODE text" (the form of `errors` entries) split into the code and the text.
    static func codeAndText(_ entry: String?) -> (code: String?, text: String?) {
        guard let entry, let space = entry.firstIndex(of: " ") else { return (entry, nil) }
        return (String(entry[..<space]), String(entry[entry.index(after: space)...]))
    }

    /// The decision as far as the log alone tells it, for a message whose original cannot be run
    /// through the pipeline again. `appRecBytes`: the AppRec as sent (nil: not recoverable).
    func loggedDecision(_ message: LoggedMessage, _ received: AuditRecord, appRecBytes: [UInt8]?) throws -> Decision {
        guard let outcome = Decision.Outcome(rawValue: received.outcome ?? "") else {
            throw Failure.unreadableLog(reason: "message \(message.id): outcome \(received.outcome ?? "none") unknown")
        }
        let error = Self.codeAndText(received.errors.first)
        var decision = Decision(
            outcome: outcome, senderHerId: received.sender, msgId: received.msgId,
            msgType: received.msgType, destination: message.destination)
        switch outcome {
        case .accepted:
            decision.registersKey = received.sender != nil && received.msgId != nil
        case .rejected:
            (decision.errorCode, decision.errorText) = error
            let partner = config.partners.first { $0.id == received.partner }
            let reused = error.code == "E10" && (error.text ?? "").contains("already used")
            // As `MessageProcessor.reject` decides: the sender only when it belongs to the inbox, the
            // MsgId only from a parsed header (a salvaged one is logged, not recorded).
            if received.sender.map({ partner?.herIds.contains($0) ?? false }) != true || received.security {
                decision.senderHerId = nil
            }
            if received.msgType == nil { (decision.msgId, decision.senderHerId) = (nil, nil) }
            decision.registersKey =
                received.msgType != "APPREC" && !reused && !(decision.msgId ?? "").isEmpty
                && decision.senderHerId != nil
        case .duplicate:
            let named = received.errors.first.flatMap { text in
                text.hasPrefix("duplicate of message ")
                    ? text.dropFirst(21).split(separator: ";").first.map(String.init) : nil
            }
            let first = try received.sender.flatMap { sender in
                try received.msgId.flatMap { try store.findFirst(senderHerId: sender, msgId: $0) }
            }
            decision.duplicateOf = first?.messageId ?? named
        case .appRecReceived, .quarantined:
            (decision.errorCode, decision.errorText) = received.errors.isEmpty ? (nil, nil) : error
        }
        decision.routed = message.routed.map { record in
            RoutedPlan(
                routedMsgId: record.msgId ?? "", targetPartner: record.partner ?? "",
                targetHerId: record.receiver ?? "", path: record.file ?? "", bytes: [])
        }
        if let record = message.appRec, let receiptId = record.msgId, let bytes = appRecBytes {
            let answer = Self.codeAndText(record.errors.first)
            decision.appRec = .init(
                receiptId: receiptId, status: Int(record.outcome ?? "") ?? 1, errorCode: answer.code,
                errorText: answer.text, bytes: bytes, path: record.file ?? "")
        }
        return decision
    }
}
