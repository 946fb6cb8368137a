import Foundation
import PathwayGateway

/// The conversations of spec §7 in the soak's traffic: the receiver's AppRec, replies both ways
/// and the other side's AppRec, resends of delivered messages after the partner took a file. Each
/// answer names a message at least `distance` files earlier and is released only once that message
/// is finished (`after`): a receiver answers what it has got.
extension TrafficGenerator {
    /// Files between a message and anything that answers it.
    static let distance = 64

    /// The traffic so far and what later files can answer or resend.
    struct Traffic {
        let directory: String
        var lines: [Line] = []
        var written = 0
        /// Accepted messages a later file may resend unchanged (not those a partner took a file of).
        var resendable: [Line] = []
        /// Delivered to a municipality and not answered by it: its AppRec or reply may follow.
        var toKommune: [Line] = []
        /// Delivered replies (to a hospital) not yet answered by the hospital.
        var toHospital: [Line] = []
        /// A delivered message and the receiver's AppRec that was relayed for it.
        var answered: [(original: Line, appRec: Line)] = []
        /// MsgIds resent unchanged (never used for a take: their resend could come after it).
        var resent: Set<String> = []

        init(directory: String) { self.directory = directory }

        mutating func emit(_ line: Line, _ bytes: [UInt8]) throws {
            let dir = "\(directory)/\(line.partner)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: "\(dir)/\(line.name)"))
            lines.append(line)
            written += bytes.count
        }

        func bytes(of line: Line) throws -> [UInt8] {
            Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(line.partner)/\(line.name)")))
        }

        /// An accepted message: resendable, and answerable by its receiver when delivered.
        mutating func accepted(_ line: Line) {
            resendable.append(line)
            if line.routedTo != "-" { toKommune.append(line) }
        }

        /// How many of `pool`'s first entries are at least `distance` files before `index`.
        static func old<T>(_ pool: [T], before index: Int, _ at: (T) -> Int) -> Int {
            var n = pool.count
            while n > 0, at(pool[n - 1]) > index - distance { n -= 1 }
            return n
        }

        /// An exact resend of an earlier accepted message: the gateway's AppRec again, or nothing
        /// new for a delivered one (its copy or the relayed AppRec is unread: the soak takes only
        /// what a `take` line says). A resend of an answer waits for it, as the answer did.
        mutating func resend(name: String, index: Int, random: inout SplitMix) throws -> (Line, [UInt8])? {
            guard !resendable.isEmpty else { return nil }
            let original = resendable[random.below(resendable.count)]
            var line = original
            line.name = name
            line.index = index
            line.outcome = "duplicate"
            line.routedTo = "-"
            line.receiver = "-"
            line.relayTo = "-"
            line.after = original.after == "-" ? "-" : original.key
            line.flow = "resend"
            resent.insert(original.msgId)
            return (line, try bytes(of: original))
        }

        /// One of the conversation flows for `roll` in [0.03, 0.145), or nil when no earlier
        /// message fits (the caller then writes a new message).
        mutating func conversation(roll: Double, name: String, index: Int, random: inout SplitMix) throws
            -> (Line, [UInt8])?
        {
            switch roll {
            case ..<0.07: return kommuneAppRec(name: name, index: index, random: &random)
            case ..<0.10: return reply(name: name, index: index, direct: false, random: &random)
            case ..<0.11: return reply(name: name, index: index, direct: true, random: &random)
            case ..<0.13: return hospitalAppRec(name: name, index: index, random: &random)
            case ..<0.14: return try resendTakenCopy(name: name, index: index, random: &random)
            default: return try resendTakenRelay(name: name, index: index, random: &random)
            }
        }

        /// The receiving municipality's AppRec for a delivered message (OK, every seventh E21),
        /// relayed to the message's sender.
        mutating func kommuneAppRec(name: String, index: Int, random: inout SplitMix) -> (Line, [UInt8])? {
            let n = Self.old(toKommune, before: index, \.index)
            guard n > 0 else { return nil }
            let original = toKommune.remove(at: random.below(n))
            let line = TrafficGenerator.receipt(answering: original, name: name, index: index)
            answered.append((original, line))
            return (line, TrafficGenerator.receiptBytes(answering: original, index: index))
        }

        /// The municipality's reply to a delivered message, from the contact point that got it:
        /// addressed to the gateway naming the message (`RefToParent`; delivered to its sender with
        /// Receiver = the sender's organisations, once the message is finished), or to the
        /// hospital's HER-ids (delivered as written, whenever it comes).
        mutating func reply(name: String, index: Int, direct: Bool, random: inout SplitMix) -> (Line, [UInt8])? {
            let n = Self.old(toKommune, before: index, \.index)
            guard n > 0 else { return nil }
            let parent = toKommune[random.below(n)]
            let hospital = TrafficGenerator.hospitals.first { $0.partner == parent.partner }!
            let msgId = "soak-reply-\(index)-\(random.next() % 1_000_000)"
            var m = SampleMessageFactory.Message(
                msgId: msgId, sender: .init(name: "Kommune", herId: parent.contact),
                receiver: direct ? hospital.party : TrafficGenerator.gateway, patient: parent.patient)
            m.noteDate = "2026-11-\(String(format: "%02d", 1 + random.below(28)))"
            let text = String(decoding: TrafficGenerator.bytes(m), as: UTF8.self).replacingOccurrences(
                of: "<Ack V=\"J\" DN=\"Ja\"/>",
                with:
                    "<Ack V=\"J\" DN=\"Ja\"/>\n    <ConversationRef><RefToParent>\(parent.msgId)</RefToParent>"
                    + "<RefToConversation>\(parent.msgId)</RefToConversation></ConversationRef>")
            var line = Line(
                partner: parent.routedTo, name: name, msgId: msgId, outcome: "accepted", answer: "-",
                routedTo: parent.partner, contact: parent.senderIds.last ?? "")
            line.receiver = parent.senderIds.joined(separator: ",")
            line.after = direct ? "-" : parent.key
            line.flow = direct ? "reply-direct" : "reply-gateway"
            line.index = index
            line.senderIds = [parent.contact]
            line.patient = parent.patient
            toHospital.append(line)
            resendable.append(line)
            return (line, Array(text.utf8))
        }

        /// The hospital's AppRec for a delivered reply (from the department that got it), relayed
        /// back to the municipality.
        mutating func hospitalAppRec(name: String, index: Int, random: inout SplitMix) -> (Line, [UInt8])? {
            let n = Self.old(toHospital, before: index, \.index)
            guard n > 0 else { return nil }
            let reply = toHospital.remove(at: random.below(n))
            let hospital = TrafficGenerator.hospitals.first { $0.partner == reply.routedTo }!.party
            let answer = AppRec(
                version: .v1_1, genDate: "2026-11-23T13:00:00", id: "soak-hrec-\(index)",
                sender: .init(
                    institution: .init(name: hospital.name, herId: hospital.herId),
                    department: .init(name: "Avdeling", herId: reply.contact)),
                receiver: .init(institution: .init(name: "Kommune", herId: reply.senderIds[0])),
                status: index % 5 == 0 ? .rejected : .ok,
                errors: index % 5 == 0 ? [.init(code: "E35", description: "Pasient ukjent")] : [],
                originalMsgId: .init(
                    msgType: CodedValue(v: "DIALOG_HELSEFAGLIG"), issueDate: "2026-11-23T10:15:00", id: reply.msgId))
            var line = Line(
                partner: reply.routedTo, name: name, msgId: answer.id, outcome: "apprec-received", answer: "-",
                routedTo: "-")
            line.relayTo = reply.partner
            line.after = reply.key
            line.flow = "apprec-hospital"
            line.index = index
            answered.append((reply, line))
            return (line, AppRecEncoder.encode(answer))
        }

        /// A message nobody answered, whose copy the receiver took, resent by its sender: the same
        /// copy is delivered exactly once more. Every third a municipality's reply the hospital
        /// took, the others a hospital's message the municipality took.
        mutating func resendTakenCopy(name: String, index: Int, random: inout SplitMix) throws -> (Line, [UInt8])? {
            let replies = random.below(3) == 0
            var pool = replies ? toHospital : toKommune
            let n = Self.old(pool, before: index, \.index)
            let candidates = (0..<n).filter { !resent.contains(pool[$0].msgId) }
            guard !candidates.isEmpty else { return nil }
            let original = pool.remove(at: candidates[random.below(candidates.count)])
            if replies { toHospital = pool } else { toKommune = pool }
            return try resendAfterTake(of: original, after: original.key, take: "copy", name: name, index: index)
        }

        /// An answered message (a hospital's, or a municipality's reply) whose relayed AppRec its
        /// sender took, resent by it: the receiver's AppRec is relayed exactly once more, byte for byte.
        mutating func resendTakenRelay(name: String, index: Int, random: inout SplitMix) throws -> (Line, [UInt8])? {
            let n = Self.old(answered, before: index) { $0.appRec.index }
            let candidates = (0..<n).filter { !resent.contains(answered[$0].original.msgId) }
            guard !candidates.isEmpty else { return nil }
            let (original, appRec) = answered.remove(at: candidates[random.below(candidates.count)])
            var line = try resendAfterTake(of: original, after: appRec.key, take: "relay", name: name, index: index)
            line.0.relayTo = original.partner
            return line
        }

        private mutating func resendAfterTake(of original: Line, after: String, take: String, name: String, index: Int)
            throws -> (Line, [UInt8])
        {
            resendable.removeAll { $0.msgId == original.msgId }
            var line = Line(
                partner: original.partner, name: name, msgId: original.msgId, outcome: "duplicate", answer: "-",
                routedTo: "-")
            line.after = after
            line.take = take
            line.flow = take == "copy" ? "resend-copy-taken" : "resend-relay-taken"
            line.index = index
            return (line, try bytes(of: original))
        }
    }
}
