import Foundation

/// The spool directory tree of spec §3, and the only place that knows its shape.
public struct Spool: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public func inbound(_ partner: String) -> String { "\(root)/inbound/\(partner)" }
    public func outbound(_ partner: String) -> String { "\(root)/outbound/\(partner)" }
    /// Claimed files while they are worked on; a crash leaves them here for recovery.
    public func processing(_ partner: String) -> String { "\(root)/state/processing/\(partner)" }
    public var database: String { "\(root)/state/gateway.sqlite" }
    public var pseudonymKey: String { "\(root)/state/pseudonym.key" }
    public var auditLog: String { "\(root)/audit/audit.jsonl" }

    /// Absolute path of a spool-relative one (as stored in the database).
    public func absolute(_ relative: String) -> String { "\(root)/\(relative)" }

    /// Spool-relative path of an absolute one inside the spool.
    public func relative(_ absolute: String) -> String {
        absolute.hasPrefix(root + "/") ? String(absolute.dropFirst(root.count + 1)) : absolute
    }

    /// Creates every directory the partners need (mode 0700; inbound 0770 so an EPJ export
    /// running as a group member can drop files).
    public func prepare(for partners: [Partner]) throws {
        for dir in ["state", "audit", "archive", "quarantine", "outbound", "inbound", "state/processing"] {
            try DurableFile.ensureDirectory("\(root)/\(dir)")
        }
        for partner in partners {
            try DurableFile.ensureDirectory(inbound(partner.id), mode: 0o770)
            for dir in [outbound(partner.id), processing(partner.id), "\(root)/archive/\(partner.id)", "\(root)/quarantine/\(partner.id)"] {
                try DurableFile.ensureDirectory(dir)
            }
        }
    }

    /// Names in `dir` the gateway may take: `*.xml`, not hidden, not a temporary name.
    public static func candidates(in dir: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".xml") && !$0.hasPrefix(".") && !$0.hasSuffix(".tmp") }.sorted()
    }
}
