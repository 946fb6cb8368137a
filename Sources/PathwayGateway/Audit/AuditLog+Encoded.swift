import Foundation

extension AuditLog {
    /// A record encoded before its append, leaving only its place in the chain (`prev`, `seq`) to
    /// the append. The daemon encodes a batch's records on the threads that prepare it, so the one
    /// thread that commits batches only splices two values in and hashes; the same bytes are the
    /// stored form the database keeps for recovery (one encoding per record, not two).
    struct Encoded: Sendable, Equatable {
        /// The canonical body (`AuditChain`) with `"prev":""` and `"seq":0`.
        let body: [UInt8]
        /// Where the `prev` hash goes (between its quotes) and where the `0` of `seq` is.
        let prevAt: Int
        let seqAt: Int
        /// The record's time (rotation and checkpoints go by it).
        let now: Date

        /// An encoded body read back (the database's stored form); nil when the bytes are not one.
        init?(stored body: [UInt8]) {
            guard let object = AuditJSON.decode(body), case let .string(ts)? = object["ts"],
                let now = AuditLog.date(fromTimestamp: ts)
            else { return nil }
            self.init(body: body, now: now)
        }

        init?(body: [UInt8], now: Date) {
            guard let prev = Self.offset(of: Self.prevKey, in: body), let seq = Self.offset(of: Self.seqKey, in: body),
                prev < seq
            else { return nil }
            self.body = body
            (prevAt, seqAt) = (prev + Self.prevKey.count - 1, seq + Self.seqKey.count - 2)
            self.now = now
        }

        /// The body with its chain values: `prev` (a hash) and `seq`.
        func body(seq: Int, prev: String) -> [UInt8] {
            var result: [UInt8] = []
            result.reserveCapacity(body.count + prev.utf8.count + 20)
            result += body[..<prevAt]
            result += prev.utf8
            result += body[prevAt..<seqAt]
            result += String(seq).utf8
            result += body[(seqAt + 1)...]
            return result
        }

        /// Where `needle` first occurs in `haystack` (`ByteSearch`, not `firstRange(of:)`: see there).
        private static func offset(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
            ByteSearch.firstIndex(of: needle, in: haystack)
        }

        // A string value cannot contain these: every `"` inside one is escaped as `\"`.
        private static let prevKey = Array(#","prev":"""#.utf8)
        private static let seqKey = Array(#","seq":0,"#.utf8)
    }

    /// Encodes a record; thread-safe (no lock, no shared formatter), so it runs where the
    /// record's step is planned. The patient is written only as its pseudonym.
    func encode(_ entry: Entry) -> Encoded {
        let facts = entry.facts
        func text(_ value: String?) -> AuditJSON.Value { value.map(AuditJSON.Value.string) ?? .null }
        let body = AuditJSON.encode([  // in key order, so nothing needs sorting
            ("errors", .strings(facts.errors)), ("event", .string(entry.event)), ("file", text(entry.file)),
            ("gatewayId", text(facts.gatewayId)), ("kommune", text(facts.kommune)), ("msgId", text(facts.msgId)),
            ("msgType", text(facts.msgType)),
            ("outcome", text(entry.outcome)), ("partner", text(entry.partner)),
            ("pathwayEvent", text(facts.pathwayEvent)),
            ("patient", text(facts.patientPseudonym ?? facts.patientIdent.map(pseudonymizer.pseudonym(for:)))),
            ("prev", .string("")),
            ("receiver", text(facts.receiver)), ("refMsgId", text(facts.refMsgId)),
            ("routedTo", .strings(facts.routedTo)),
            ("security", .bool(facts.security)), ("sender", text(facts.sender)), ("seq", .integer(0)),
            ("sha256", text(entry.sha256)), ("ts", .string(Timestamp.rfc3339(entry.now))),
            ("warnings", .strings(facts.warnings)),
        ])
        return Encoded(body: body, now: entry.now)!  // the two keys are always there
    }

    /// The record's `ts` (`Timestamp.rfc3339`: RFC 3339 UTC with milliseconds); a name the tests use.
    static func timestamp(_ date: Date) -> String { Timestamp.rfc3339(date) }

    /// The inverse of `timestamp` (any RFC 3339 time with milliseconds); `AuditRecord.date` too.
    static func date(fromTimestamp text: String) -> Date? { Timestamp.date(rfc3339: text) }
}
