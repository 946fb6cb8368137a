#if canImport(Glibc)
    import Glibc
#endif

/// The Unix group of a partner's system (`partners[].group`, spec §8): the group its inbox and
/// outbox belong to and the only one, besides the gateway, that may reach them.
///
/// A name is looked up on the host (`check-config` reports one that does not exist); a number is
/// taken as it is, because in a container the partner's group often has no name in the gateway's
/// `/etc/group` (`docker run --group-add 20001`).
public enum UnixGroup: Sendable, Hashable, CustomStringConvertible {
    case name(String)
    case id(gid_t)

    /// `text` as written in the config: all digits is a number, anything else a name.
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ (48...57).contains($0) }) {
            guard let number = gid_t(text), number != gid_t.max else { return nil }
            self = .id(number)
        } else {
            // The characters /etc/group and useradd allow in a name; no ':' or whitespace.
            let allowed = text.utf8.allSatisfy { byte in
                (97...122).contains(byte) || (65...90).contains(byte) || (48...57).contains(byte)
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "$")
            }
            guard allowed else { return nil }
            self = .name(text)
        }
    }

    public var description: String {
        switch self {
        case let .name(name): name
        case let .id(number): String(number)
        }
    }

    /// The group's number on this host; nil for a name the host does not know.
    public func resolve() -> gid_t? {
        switch self {
        case let .id(number): number
        case let .name(name): Self.lookup(name)
        }
    }

    /// `getgrnam_r` with a buffer grown until the entry fits (large groups list many members).
    private static func lookup(_ name: String) -> gid_t? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var size = 4096
        while size <= 1 << 24 {
            var buffer = [CChar](repeating: 0, count: size)
            let code = getgrnam_r(name, &entry, &buffer, size, &result)
            if code == ERANGE {
                size *= 4
                continue
            }
            guard code == 0, result != nil else { return nil }
            return entry.gr_gid
        }
        return nil
    }
}
