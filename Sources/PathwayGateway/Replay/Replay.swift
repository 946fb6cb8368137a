import Foundation

/// `pathway-gateway replay`: runs a rejected message through the pipeline again after the cause
/// was fixed (a contact point added, a partner's policy changed).
///
/// How, safely while the daemon runs: the message's (sender, MsgId) key is released in the state
/// database, then its quarantined original is written into the partner's inbox as
/// `replay-<gateway id>-<name>`, where the daemon takes it like any new file and decides it
/// afresh — with a new AppRec to the sender (accepted now, or rejected again with today's reason).
/// Every step is audited by the daemon (`replay` and then the usual records).
///
/// Never routing twice: only messages whose outcome was `rejected` can be replayed (nothing of
/// theirs was routed). If the sender re-sent the message in the meantime and that copy was
/// accepted, the key belongs to that copy, so the replay is answered as its duplicate and is not
/// routed again. Repeating a replay is harmless for the same reason.
public struct Replay: Sendable {
    let spool: Spool
    let store: MessageStore
    /// The largest original it copies back (the configured message size limit).
    let limit: Int

    public init(spool: Spool, store: MessageStore, limit: Int = XMLLimits.default.maxBytes) {
        self.spool = spool
        self.store = store
        self.limit = limit
    }

    /// Why a message cannot be replayed.
    enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case unknown(id: String)
        case notFinished(id: String)
        case notRejected(id: String, outcome: String)
        case originalMissing(id: String, path: String)
        /// A symbolic link, a directory or a FIFO where the original should be (a partner can drop
        /// any of these into its inbox; intake quarantines them unread): never followed.
        case originalUnreadable(id: String, path: String, reason: String)

        var description: String {
            switch self {
            case let .unknown(id): "no message with gateway id \(id)"
            case let .notFinished(id): "message \(id) is still being processed"
            case let .notRejected(id, outcome):
                "message \(id) was \(outcome), not rejected: replaying it could route it twice"
            case let .originalMissing(id, path):
                "the original of message \(id) is gone (\(path)); retention may have removed it"
            case let .originalUnreadable(id, path, reason):
                "the original of message \(id) cannot be replayed (\(path)): \(reason)"
            }
        }
    }

    /// The file name prefix the daemon recognises (and audits) as a replay.
    static let prefix = "replay-"

    /// The gateway id a replayed file name refers to (`replay-<36-char id>-<name>`), if any.
    static func replayedId(inFileName name: String) -> String? {
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard rest.count > 37, rest[rest.index(rest.startIndex, offsetBy: 36)] == "-" else { return nil }
        let id = String(rest.prefix(36))
        return UUID(uuidString: id) == nil ? nil : id
    }

    /// Queues one message for replay; returns the spool-relative path of the file dropped into the
    /// inbox. `reference` is a gateway id or the name of its quarantined original.
    public func request(_ reference: String) throws -> String {
        let id = String(reference.split(separator: "/").last.map { $0.prefix(36) } ?? "")
        guard let message = try store.message(id: id) else { throw Refusal.unknown(id: reference) }
        guard message.state == .done else { throw Refusal.notFinished(id: id) }
        guard message.outcome == .rejected else {
            throw Refusal.notRejected(id: id, outcome: message.outcome?.rawValue ?? "undecided")
        }
        guard let destination = message.destination else { throw Refusal.originalMissing(id: id, path: "?") }
        let bytes: [UInt8]
        do {
            // Regular files only, never through a link: the quarantine holds whatever a partner dropped.
            bytes = try FileReader.read(spool.absolute(destination), limit: limit)
        } catch .system(_, ENOENT) {
            throw Refusal.originalMissing(id: id, path: destination)
        } catch .system(_, ELOOP) {
            throw Refusal.originalUnreadable(id: id, path: destination, reason: "a symbolic link")
        } catch {
            throw Refusal.originalUnreadable(id: id, path: destination, reason: error.description)
        }
        // Key first: were the file taken before the key is free, it would be a duplicate of itself.
        try store.releaseKey(messageId: id)
        let name = "\(Self.prefix)\(id)-\(message.fileName)"
        try DurableFile.write(bytes, to: "\(spool.inbound(message.partnerId))/\(name)", mode: 0o640)
        return "inbound/\(message.partnerId)/\(name)"
    }
}
