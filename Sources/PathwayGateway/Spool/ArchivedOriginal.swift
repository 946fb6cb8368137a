/// A decided message's original as the gateway archived it, read back for what the state database
/// does not keep: the patient's identity (a worklist with identities, a reminder) and the Sender's
/// organisations (a reply to a copy of an earlier version). The one way to read it: only from
/// `archive/` (the gateway's own, 0700), never through a link and within the size limit
/// (`FileReader`), only with the bytes the gateway decided on (their SHA-256 as recorded: the
/// archived file is the sender's inode, which a sender holding it open could still change),
/// parsed within the XML limits (`SafeXMLParser`); anything but a MsgHead is none.
enum ArchivedOriginal {
    enum Missing: Error, Sendable, Equatable {
        /// The state database does not know the message, or it was not archived (quarantined).
        case notInState
        /// Pruned by retention, unreadable, not a regular file, or changed since it was decided.
        case gone
        case notAMsgHead
    }

    struct Found {
        /// Spool-relative path, `archive/<partner>/<id>-<name>`.
        var path: String
        var head: MsgHead
    }

    static func read(messageId: String, store: MessageStore, spool: Spool, limits: XMLLimits)
        -> Result<Found, Missing>
    {
        let recorded = try? store.db.query(
            "SELECT destination, sha256 FROM messages WHERE id = ?", [messageId]
        ) { row in (try row.optionalString(0), try row.string(1)) }.first
        guard let (destination, sha256) = recorded, let path = destination, path.hasPrefix("archive/") else {
            return .failure(.notInState)
        }
        guard let bytes = try? FileReader.read(spool.absolute(path), limit: limits.maxBytes),
            SHA256.hex(bytes) == sha256, let document = try? SafeXMLParser.parse(bytes, limits: limits)
        else { return .failure(.gone) }
        guard document.root.isNamed("MsgHead", namespace: KITHNamespace.msgHead) else { return .failure(.notAMsgHead) }
        return .success(Found(path: path, head: MsgHead(document.root)))
    }
}
