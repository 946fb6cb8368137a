#if canImport(Glibc)
    import Glibc
#endif

/// The group that may read the metrics directory (`metrics.group`): the metrics collector's, e.g.
/// `prometheus` for Debian's node_exporter. With it the directory is made 0750 and each file 0640,
/// both owned by that group, so the collector reads the metrics and nobody else lists the directory.
/// The metrics hold counts and partner ids only, never personal data (spec §8).
///
/// Resolved when the configuration is read, so `check-config` names an unknown group before the
/// daemon meets it; a number is taken as it is (containers often have no group database entry).
public struct MetricsGroup: Sendable, Hashable, CustomStringConvertible {
    /// The name as configured, or the number's text.
    public var name: String
    public var gid: gid_t

    public init(name: String, gid: gid_t) {
        self.name = name
        self.gid = gid
    }

    /// A group name or number; nil when no such group exists.
    public static func resolve(_ text: String) -> MetricsGroup? {
        if let number = gid_t(text) { return MetricsGroup(name: text, gid: number) }
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getgrnam_r(text, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return MetricsGroup(name: text, gid: entry.gr_gid)
    }

    public var description: String { name == String(gid) ? name : "\(name) (gid \(gid))" }
}
