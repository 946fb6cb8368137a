import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The audit log's files: the current file (`audit.jsonl`, the one `tail -f` watches) and the
/// rotated ones next to it, named `audit-YYYYMMDD-HHMMSS-<first seq>-<last seq>.jsonl` (the UTC
/// time of their first record and the seq range they hold). One chain runs through them all, in
/// seq order: the first record of each file carries the last hash of the file before it. The seq
/// range in the name lets `audit verify` tell a missing file from a renamed or reordered one.
public struct AuditDirectory: Sendable, Hashable {
    /// Path of the current file.
    let current: String

    public init(current: String) { self.current = current }

    /// The directory holding the files.
    public var path: String { DurableFile.parent(of: current) }
    /// `audit` for `audit.jsonl`: the prefix of rotated names.
    var stem: String {
        let name = DurableFile.baseName(of: current)
        return name.hasSuffix(".jsonl") ? String(name.dropLast(6)) : name
    }

    /// One file of the log.
    public struct File: Sendable, Hashable {
        let path: String
        /// The seq range a rotated file's name claims; nil for the current file.
        let seqs: ClosedRange<Int>?
        var name: String { DurableFile.baseName(of: path) }
        var isCurrent: Bool { seqs == nil }
    }

    /// The rotated file name for records `seqs` whose first was written at `start`.
    func rotatedName(start: Date, seqs: ClosedRange<Int>) -> String {
        "\(stem)-\(Timestamp.compactUTC(start))-\(seqs.lowerBound)-\(seqs.upperBound).jsonl"
    }

    /// The seq range a rotated file name claims, or nil when `name` is not one of ours.
    func seqs(inRotatedName name: String) -> ClosedRange<Int>? {
        guard name.hasPrefix(stem + "-"), name.hasSuffix(".jsonl") else { return nil }
        let parts = name.dropFirst(stem.count + 1).dropLast(6).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].count == 8, parts[1].count == 6, parts[0].allSatisfy(\.isASCIIDigit),
            parts[1].allSatisfy(\.isASCIIDigit), let first = Int(parts[2]), let last = Int(parts[3]),
            first >= 1, last >= first
        else { return nil }
        return first...last
    }

    /// Every file, oldest first: rotated files in the order of the seq ranges their names claim,
    /// then the current file (when it exists).
    /// No audit file at all: a fresh install (nothing to rebuild or check against).
    public var isEmpty: Bool { files().isEmpty }

    func files() -> [File] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        var rotated = names.compactMap { name in
            seqs(inRotatedName: name).map { File(path: "\(path)/\(name)", seqs: $0) }
        }
        rotated.sort { ($0.seqs!.lowerBound, $0.name) < ($1.seqs!.lowerBound, $1.name) }
        if access(current, F_OK) == 0 { rotated.append(File(path: current, seqs: nil)) }
        return rotated
    }

    /// The newest rotated file, if any.
    func newestRotated() -> File? { files().last { !$0.isCurrent } }

    /// Days since 1970-01-01 in UTC: the unit of daily rotation.
    static func utcDay(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
