#if canImport(Glibc)
    import Glibc
#endif

/// Who may reach which part of the spool (spec §8 "Trust boundaries"), resolved for this host.
///
/// Without any `partners[].group` it is the single-user layout, and nothing is changed from how
/// the spool always was (every mode untouched, outputs 0600). With groups, each partner with one
/// reaches its own inbox and outbox through its group and nothing else: see `Spool.applyLayout`
/// for the directories, `output(at:)` for the files written for it.
public struct SpoolAccess: Sendable, Hashable {
    /// Partner id → the number of its group, for every partner that has one.
    public let groups: [String: gid_t]

    /// The single-user layout: the gateway and every partner are one Unix user.
    public static let singleUser = SpoolAccess(groups: [:])

    public init(groups: [String: gid_t]) { self.groups = groups }

    /// True when any partner has a group: the spool is then shared between Unix users.
    public var isShared: Bool { !groups.isEmpty }

    /// Spool root, `inbound/`, `outbound/` in the shared layout: traversable, not listable.
    public static let parentMode: mode_t = 0o711
    /// `inbound/<P>/` and `outbound/<P>/` of a partner with a group: owner and group read, write,
    /// traverse; setgid, so a file dropped there gets group P (the partner's umask 027 then leaves
    /// it readable by the gateway, a member). No sticky bit: the partner removes the gateway's files.
    public static let partnerDirectoryMode: mode_t = 0o2770
    /// A file written for a partner with a group: the gateway writes, the group reads.
    public static let partnerFileMode: mode_t = 0o640
    /// Everything that stays the gateway's: state, archive, quarantine, audit.
    public static let privateDirectoryMode: mode_t = 0o700
    /// What the single-user layout gives a partner's inbox and outbox (kept for partners without a
    /// group in a shared spool): group access through the gateway's own group for the inbox only.
    public static let singleUserInboxMode: mode_t = 0o770
    public static let singleUserOutboxMode: mode_t = 0o700
    /// Files written in the single-user layout (and for a partner without a group).
    public static let privateFileMode: mode_t = 0o600

    /// Mode and group for an output at a spool-relative `path`: 0640 group P under `outbound/<P>/`
    /// when P has a group, else 0600 and the gateway's group (nil: left as created). One dictionary
    /// lookup per output, and none in the single-user layout.
    public func output(at path: String) -> (mode: mode_t, group: gid_t?) {
        guard isShared, path.hasPrefix("outbound/") else { return (Self.privateFileMode, nil) }
        let rest = path.utf8.dropFirst(9)
        guard let slash = rest.firstIndex(of: UInt8(ascii: "/")),
            let group = groups[String(decoding: rest[..<slash], as: UTF8.self)]
        else { return (Self.privateFileMode, nil) }
        return (Self.partnerFileMode, group)
    }

    /// Resolves every partner's group and checks that the gateway can give files to it: it must
    /// be a member (or root), since a non-root process may only chgrp to its own groups — and it
    /// must read what the partner drops through that group.
    public static func resolve(_ partners: [Partner], credentials: Credentials = .current) throws(Failure)
        -> SpoolAccess
    {
        var groups: [String: gid_t] = [:]
        for partner in partners {
            guard let group = partner.group else { continue }
            guard let number = group.resolve() else {
                throw .unknownGroup(partner: partner.id, group: group.description)
            }
            guard credentials.mayUse(number) else {
                throw .notAMember(partner: partner.id, group: group.description, gid: number, uid: credentials.uid)
            }
            groups[partner.id] = number
        }
        return SpoolAccess(groups: groups)
    }

    /// The identity the gateway runs under, as far as file access goes.
    public struct Credentials: Sendable, Hashable {
        public var uid: uid_t
        public var gid: gid_t
        public var supplementary: Set<gid_t>

        public init(uid: uid_t, gid: gid_t, supplementary: Set<gid_t>) {
            (self.uid, self.gid, self.supplementary) = (uid, gid, supplementary)
        }

        /// This process's effective user and groups.
        public static var current: Credentials {
            let count = getgroups(0, nil)
            var list = [gid_t](repeating: 0, count: Int(max(0, count)))
            let filled = count > 0 ? getgroups(count, &list) : 0
            return Credentials(uid: geteuid(), gid: getegid(), supplementary: Set(list.prefix(Int(max(0, filled)))))
        }

        /// Root may give any group; anyone else only its own.
        func mayUse(_ group: gid_t) -> Bool { uid == 0 || gid == group || supplementary.contains(group) }
    }

    /// Why the spool cannot be laid out as configured. Each is one line naming the fix.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// A configured group name the host does not know (also a `check-config` problem).
        case unknownGroup(partner: String, group: String)
        /// The gateway's user is not in a configured group: it could neither hand files to it nor
        /// read what the partner drops.
        case notAMember(partner: String, group: String, gid: gid_t, uid: uid_t)
        /// A directory the layout must change belongs to another user (only its owner may chmod it).
        case notOwned(path: String, owner: uid_t, gateway: uid_t)
        /// A system call failed while bringing a path to its mode and group.
        case system(operation: String, path: String, errno: Int32)

        public var description: String {
            switch self {
            case let .unknownGroup(partner, group):
                "partner \(partner): group \"\(group)\" does not exist on this host (create it, or give its number)"
            case let .notAMember(partner, group, gid, uid):
                "partner \(partner): the gateway's user (uid \(uid)) is not a member of group \(group) (gid \(gid)); "
                    + "add it (usermod -aG \(group) <gateway user>) and restart the gateway"
            case let .notOwned(path, owner, gateway):
                "\(path) belongs to uid \(owner), not to the gateway's user (uid \(gateway)), so its mode and group cannot be set; "
                    + "chown it to the gateway's user"
            case let .system(operation, path, code):
                "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code))"
            }
        }
    }
}
