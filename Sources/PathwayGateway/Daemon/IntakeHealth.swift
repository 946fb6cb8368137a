import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What keeps files in an inbox, per partner: an inbox the gateway may not list, a file it may
/// not read, a claim that fails (the inbox on another file system, a directory it may not write),
/// files in the inbox of a partner no longer configured.
///
/// These are operator problems, not the sender's (spec §8): nothing is rejected, the files wait
/// where they are, every other file and partner goes on, and the problem is said — in the log
/// when it appears, every `repeatSeconds` while it lasts and when it clears, as a metric, and in
/// `status` (through `state/intake-problems.json`, which the daemon rewrites when the set changes)
/// — until fixed. A partner whose claims fail is backed off (1 s doubling to 60 s) instead of
/// being retried, and logged, at every pass.
public final class IntakeHealth: Sendable {
    public struct Problem: Sendable, Equatable, Codable, CustomStringConvertible {
        public enum Kind: String, Sendable, Codable {
            case inboxUnlistable = "inbox-unlistable"
            case fileUnreadable = "file-unreadable"
            case claimFailed = "claim-failed"
            case unconfiguredInbox = "unconfigured-inbox"
        }
        public var kind: Kind
        public var partner: String
        /// Spool-relative: the inbox, or the one file concerned.
        public var path: String
        public var files: Int
        public var error: String

        public var description: String {
            switch kind {
            case .inboxUnlistable: "\(path): the gateway cannot list this inbox (\(error)); its files wait"
            case .fileUnreadable: "\(path): the gateway cannot read this file (\(error)); it waits in the inbox"
            case .claimFailed:
                "\(path): \(files) file(s) cannot be taken from this inbox (\(error)); they wait, retried with backoff"
            case .unconfiguredInbox:
                "\(path): \(files) file(s) in the inbox of a partner that is not configured; nothing takes them"
            }
        }
    }

    /// What changed since the last pass, for the log.
    public struct Change: Sendable {
        public var appeared: [Problem] = []
        public var cleared: [Problem] = []
        /// Still there; said again (every `repeatSeconds`).
        public var repeated: [Problem] = []
        public var isEmpty: Bool { appeared.isEmpty && cleared.isEmpty && repeated.isEmpty }
    }

    private struct State {
        var current: [Problem] = []
        /// False until the first pass wrote the report (a stale one from an earlier run is replaced).
        var published = false
        var lastSaid: UInt64 = 0
        var claimFailures: [Problem] = []
        var backoff: [String: (failures: Int, due: UInt64)] = [:]
    }

    private let state = Mutex(State())
    /// Where `status` reads the current problems (nil: nowhere, as in tests of the worker alone).
    let reportPath: String?
    let repeatSeconds: UInt64

    public init(reportPath: String?, repeatSeconds: UInt64 = 900) {
        self.reportPath = reportPath
        self.repeatSeconds = repeatSeconds
    }

    public var problems: [Problem] { state.withLock { $0.current } }

    // MARK: Claims

    /// A claim from `partner`'s inbox failed: the partner is backed off, and the failure is
    /// reported with the pass.
    func claimFailed(partner: String, inbox: String, error: String) {
        let now = Self.monotonicSeconds()
        state.withLock { state in
            if let index = state.claimFailures.firstIndex(where: { $0.partner == partner }) {
                state.claimFailures[index].files += 1
                return
            }
            state.claimFailures.append(
                Problem(kind: .claimFailed, partner: partner, path: inbox, files: 1, error: error))
            let failures = (state.backoff[partner]?.failures ?? 0) + 1
            state.backoff[partner] = (failures, now + UInt64(min(60, 1 << min(failures - 1, 6))))
        }
    }

    /// Whether `partner`'s inbox is left alone this pass (its claims failed, and the backoff has
    /// not run out).
    func isBackingOff(_ partner: String) -> Bool {
        let now = Self.monotonicSeconds()
        return state.withLock { state in state.backoff[partner].map { now < $0.due } ?? false }
    }

    // MARK: Passes

    /// Ends a pass over the inboxes: `found` is what the listing saw, `visited` the partners whose
    /// inboxes it read (a partner backed off keeps its claim problem). Returns what to log.
    func finishPass(found: [Problem], visited: Set<String>) -> Change {
        let now = Self.monotonicSeconds()
        let (change, changed, current): (Change, Bool, [Problem]) = state.withLock { state in
            var claims = state.claimFailures
            state.claimFailures = []
            for partner in visited where !claims.contains(where: { $0.partner == partner }) {
                state.backoff[partner] = nil  // listed and claimed without a failure
            }
            claims += state.current.filter { $0.kind == .claimFailed && !visited.contains($0.partner) }
            let current = found + claims
            var change = Change()
            change.appeared = current.filter { problem in
                !state.current.contains { $0.kind == problem.kind && $0.path == problem.path }
            }
            change.cleared = state.current.filter { problem in
                !current.contains { $0.kind == problem.kind && $0.path == problem.path }
            }
            if !change.appeared.isEmpty || now >= state.lastSaid + repeatSeconds {
                change.repeated = current.filter { problem in !change.appeared.contains(problem) }
                state.lastSaid = now
            }
            let changed = current != state.current || !state.published
            state.published = true
            state.current = current
            return (change, changed, current)
        }
        if changed { publish(current) }
        return change
    }

    /// Rewrites the report `status` reads (atomically; an empty list when all is well).
    private func publish(_ problems: [Problem]) {
        guard let reportPath else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(problems) else { return }
        try? DurableFile.replace(Array(data), at: reportPath)
    }

    /// Inboxes of partners the configuration no longer names, with files in them: nothing takes
    /// those files, so they are said rather than left to be found by chance. One directory
    /// listing, and one more per such directory (there are rarely any).
    static func unconfiguredInboxes(spool: Spool, partners: [Partner]) -> [Problem] {
        let known = Set(partners.map(\.id))
        let inbound = "\(spool.root)/inbound"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: inbound)) ?? []).filter {
            !$0.hasPrefix(".") && !known.contains($0)
        }
        return names.sorted().compactMap { name in
            guard let files = try? Spool.listCandidates(in: "\(inbound)/\(name)"), !files.isEmpty else { return nil }
            return Problem(
                kind: .unconfiguredInbox, partner: name, path: "inbound/\(name)", files: files.count,
                error: "no partner \"\(name)\" in the configuration")
        }
    }

    /// The problems the running daemon last reported at `path` (none when it reported none or the
    /// file is missing or unreadable).
    public static func read(reportAt path: String) -> [Problem] {
        guard let bytes = try? FileReader.read(path, limit: 1 << 20) else { return [] }
        return (try? JSONDecoder().decode([Problem].self, from: Data(bytes))) ?? []
    }

    private static func monotonicSeconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec)
    }
}
