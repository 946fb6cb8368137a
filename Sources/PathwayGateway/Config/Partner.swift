/// A party that exchanges files with the gateway: a hospital or a municipality.
///
/// The id names the partner's inbox and outbox (`spool/inbound/<id>/`, `spool/outbound/<id>/`), so it
/// must be safe as a directory name. A partner may send as any of its HER-ids, because real
/// organisations address messages from several services (a department, a coordinator) under one roof.
public struct Partner: Sendable, Hashable {
    /// Directory-safe identifier, matching `[a-z0-9][a-z0-9._-]*`.
    public var id: String
    /// Human-readable name, used in status output and the audit log.
    public var name: String
    /// Every HER-id this partner may appear as in a MsgHead Sender (strings of digits).
    public var herIds: [String]
    /// How schema deviations in this partner's messages are treated (default `strict`).
    var schemaPolicy: SchemaPolicy
    /// The Unix group of the partner's system (spec §8): its inbox and outbox are shared with this
    /// group and nobody else. Nil: the single-user layout (the partner runs as the gateway's user).
    var group: UnixGroup?

    /// The gateway's own inbox for the reminders it writes (spec §9): an implicit partner whose
    /// only HER-id is the gateway's, present when a contact point has reminders on. Reserved: no
    /// configured partner may take the id.
    static let internalId = "pathway-gateway"

    /// True for the gateway's own partner (`internalId`): nobody outside writes or reads its
    /// directories, and the AppRecs for its messages are recorded, not relayed.
    var isInternal: Bool { id == Self.internalId }

    /// `isInternal`, for the command line.
    public var isInternalPartner: Bool { isInternal }

    init(id: String, name: String, herIds: [String], schemaPolicy: SchemaPolicy = .strict, group: UnixGroup? = nil) {
        self.id = id
        self.name = name
        self.herIds = herIds
        self.schemaPolicy = schemaPolicy
        self.group = group
    }

    /// True when `id` can be used as a spool directory name without escaping or path tricks
    /// (no `/`, no leading `.`, no upper case that would collide on case-insensitive file systems).
    static func isSafeId(_ id: String) -> Bool {
        guard let first = id.utf8.first, isLowerAlnum(first) else { return false }
        return id.utf8.allSatisfy {
            isLowerAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
                || $0 == UInt8(ascii: "-")
        }
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
