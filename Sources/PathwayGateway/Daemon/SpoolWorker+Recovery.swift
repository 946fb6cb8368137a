import Foundation

extension SpoolWorker {
    /// After a restart: finishes every decided message from its recorded intent (never re-deciding
    /// it), then processes the files a crash left in `processing/` before their decision.
    /// Returns how many messages it touched.
    func recover(partners: [Partner], batchSize: Int) throws -> Int {
        let decided = try store.pendingWork().filter { $0.state == .decided }
        removeAbandonedTempFiles(
            partners: partners, keeping: Set(decided.flatMap { $0.outputs.compactMap(\.staged) }.map(spool.absolute)))
        var heldBack: Set<String> = []
        try restamp(decided)
        if !decided.isEmpty {
            // The crash may have come before the batch's audit records were appended, or cut that
            // append short: write each message's stored records that the log does not hold yet
            // (a torn append keeps a prefix of every message's records), then say it was recovered.
            let written = Self.recordCounts(inAuditTail: auditTail())
            var records: [AuditLog.Encoded] = []
            for work in decided {
                if let json = work.auditFacts, let stored = AuditTrail.records(stored: json, encoding: audit.encode) {
                    records += stored.dropFirst(written[work.messageId] ?? 0)
                }
                var facts = AuditFacts()
                facts.gatewayId = work.messageId
                records.append(
                    audit.encode(
                        AuditLog.Entry(
                            event: "recovered", partner: work.partnerId, file: work.fileName,
                            outcome: nil, sha256: nil, facts: facts)))
            }
            try audit.append(encoded: records)
            heldBack = try finish(decided, together: publishAndClose).heldBack
        }
        var count = decided.count
        // Still decided after `finish`: held back by a fault. Their names in `processing/` are
        // theirs; any other file there is a claim no decision was recorded for.
        let decidedFiles = Set(
            decided.filter { heldBack.contains($0.messageId) }.map { "\($0.partnerId)/\($0.fileName)" })
        for partner in partners {
            // Files of decided messages (held back by a fault) are finished above, not re-read.
            let names = Spool.candidates(in: spool.processing(partner.id)).filter {
                !decidedFiles.contains("\(partner.id)/\($0)")
            }
            for start in stride(from: 0, to: names.count, by: max(1, batchSize)) {
                try process(
                    names[start..<min(names.count, start + batchSize)].map { Claimed(partner: partner, name: $0) })
            }
            count += names.count
        }
        return count
    }

    /// The end of the audit log, where a crashed batch's records would be: a crash leaves at most
    /// one batch undone, and nothing is appended after it before this check.
    private func auditTail(bytes: Int = 8 << 20) -> Data {
        Data((try? FileReader.end(of: audit.path, count: bytes).bytes) ?? [])
    }

    /// How many records of each message (by gatewayId) the tail holds, "recovered" lines aside.
    static func recordCounts(inAuditTail tail: Data) -> [String: Int] {
        let key = Data("\"gatewayId\":\"".utf8)
        let recovered = Data("\"event\":\"recovered\"".utf8)
        var counts: [String: Int] = [:]
        for line in tail.split(separator: UInt8(ascii: "\n")) where line.range(of: recovered) == nil {
            guard let start = line.range(of: key)?.upperBound,
                let end = line[start...].firstIndex(of: UInt8(ascii: "\""))
            else { continue }
            counts[String(decoding: line[start..<end], as: UTF8.self), default: 0] += 1
        }
        return counts
    }

    /// Outputs staged by an earlier pass (before a crash, or a reload that changed the partners'
    /// groups) get the mode and group their outbox asks for now. Shared layout only.
    func restamp(_ works: [MessageStore.PendingWork]) throws {
        guard spool.access.isShared else { return }
        for output in works.flatMap(\.outputs) {
            if let staged = output.staged { try spool.restamp(staged: staged, for: output.path) }
        }
    }

    /// A crash leaves `.<name>.<suffix>.tmp` files in `state/staging/` (and, from older versions
    /// or other writers, next to final names; never visible under a final name). Those a
    /// recorded decision names (`keeping`) are its staged outputs; only the gateway writes these
    /// directories, so at start-up any other is an orphan of a batch that was never recorded.
    /// Removed with `unlink`, never recursively: a partner may write its own outbox (spec §8), and
    /// a directory or link it names `.x.tmp` must not steer a removal anywhere else.
    func removeAbandonedTempFiles(partners: [Partner], keeping: Set<String>) {
        let dirs =
            [spool.staging]
            + partners.flatMap {
                [spool.outbound($0.id), spool.absolute("archive/\($0.id)"), spool.absolute("quarantine/\($0.id)")]
            }
        for dir in dirs {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") && !keeping.contains("\(dir)/\(name)")
            {
                unlink("\(dir)/\(name)")
            }
        }
    }
}
