import Foundation
import PathwayGateway

/// `gateway-bench generate --count N --dir DIR [--seed S]`: realistic inbound traffic for the
/// default config, with the outcome each file must get, for the crash soak (bench/soak.py).
///
/// Writes `DIR/<partner>/<name>.xml` (not yet in any spool: the soak moves files into the inboxes
/// while it kills the daemon) and `DIR/manifest.tsv`, one line per file in release order:
/// `partner/name  msgId  outcome  answer  routedTo  receiver  relayTo  after  take  flow`, where
/// `answer` is the gateway's own answer: `1` (AppRec OK), `2:<code>` (AppRec Avvist),
/// `notice:<code>` (a `.rejected.txt`, no MsgId) or `-` (none: a delivered message is answered by
/// its receiver, spec §7); `routedTo` the partner that must receive exactly one delivered copy (or
/// `-`), `receiver` that copy's Receiver HER-ids (outermost first); `relayTo` the partner that must
/// get this receiver's AppRec (or, for a resend, the receiver's AppRec again) relayed byte for byte
/// exactly once; `after` the input (`partner/name`) that must be finished before this one is
/// released — a receiver cannot answer or reply to what it has not got; `take` what the partner
/// takes out of its outbound just before this resend is released (`copy`: the delivered copy of
/// `after`, which must then be delivered exactly once more; `relay`: the relayed AppRec `after`,
/// which must then be relayed exactly once more); `flow` names the kind (for reports).
///
/// The mix: hospital PFH-SP1 needs assessments (every fourth with a 10–80 kB PDF), plain dialog
/// notes addressed to a kommune, NPF-KOMMUNE in Dialogmelding 1.0, municipal SP2/SP3 (recorded,
/// not routed), a lenient hospital's deviating headers, unmatched municipal AppRecs; the
/// conversations of spec §7 (TrafficGenerator+Conversations.swift): about 4% the receiving
/// municipality's AppRec for a delivered message, 3% its reply addressed to the gateway naming the
/// message (`RefToParent`), 1% a reply addressed to the hospital's HER-id, 2% the hospital's AppRec
/// for a delivered reply, each for a message at least 64 files earlier; 1.5% resends of a
/// delivered message the partner took (its copy, or the relayed AppRec); about 2% exact resends
/// of an earlier accepted message (the gateway's AppRec again, or nothing new while the copy or the
/// relayed AppRec is unread) and about 1% invalid files (E30, E31, T01 with and without a MsgId,
/// T02, T10, a spoofed sender). Deterministic for a seed, so a failing soak can be replayed.
enum TrafficGenerator {
    struct Line {
        var partner: String
        var name: String
        var msgId: String
        var outcome: String
        var answer: String
        var routedTo: String
        /// The HER-id a delivered copy goes to (its contact point), for the receiver's AppRec.
        var contact = ""
        var receiver = "-"
        var relayTo = "-"
        var after = "-"
        var take = "-"
        var flow = ""
        /// Not in the manifest: the file's place in the traffic, the Sender's HER-ids (outermost
        /// first) and the patient, for the answers and replies that follow.
        var index = 0
        var senderIds: [String] = []
        var patient = SampleMessageFactory.PatientData(fnr: nil)

        var key: String { "\(partner)/\(name)" }

        var manifestLine: String {
            [key, msgId, outcome, answer, routedTo, receiver, relayTo, after, take, flow].joined(separator: "\t")
        }
    }

    static let gateway = SampleMessageFactory.Party(name: "Forløpsgateway Helse Vest", herId: "8150001")
    static let hospitals = [
        (
            partner: "helse-bergen",
            party: SampleMessageFactory.Party(
                name: "Helse Bergen HF", herId: "8150010",
                unitName: "Kreftavdelingen", unitHerId: "8150011")
        ),
        (
            partner: "haraldsplass",
            party: SampleMessageFactory.Party(
                name: "Haraldsplass Diakonale Sykehus", herId: "8150020",
                unitName: "Medisinsk avdeling", unitHerId: "8150021")
        ),
    ]
    /// The hospitals' departments (the innermost HER-id of their Sender).
    static let departments = ["helse-bergen": "8150011", "haraldsplass": "8150021"]
    /// kommune → (partner, HER-id of its pakkeforløp-hjem contact point, HER-id of its `*` one).
    static let kommuner: [(kommune: String, partner: String, pfh: String, any: String)] = [
        ("4601", "bergen-kommune", "8150101", "8150100"), ("0301", "oslo-kommune", "8150111", "8150110"),
        ("5001", "trondheim-kommune", "8150121", "8150120"), ("1103", "stavanger-kommune", "8150131", "8150130"),
        ("1508", "alesund-kommune", "8150141", "8150140"), ("5501", "tromso-kommune", "8150151", "8150150"),
        ("1507", "alesund-kommune", "8150141", "8150140"),  // retired number, aliased to 1508
    ]

    static func run(count: Int, into directory: String, seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        var traffic = Traffic(directory: directory)
        for index in 0..<count {
            let name = String(format: "m-%06d.xml", index)
            let roll = random.unit()
            if roll < 0.02, let line = try traffic.resend(name: name, index: index, random: &random) {
                try traffic.emit(line.0, line.1)
            } else if roll < 0.03 {
                var (line, bytes) = invalid(index: index, name: name, random: &random)
                line.flow = "invalid"
                try traffic.emit(line, bytes)
            } else if roll < 0.145,
                let (line, bytes) = try traffic.conversation(roll: roll, name: name, index: index, random: &random)
            {
                try traffic.emit(line, bytes)
            } else {
                var (line, bytes) = valid(index: index, name: name, roll: random.unit(), random: &random)
                line.index = index
                try traffic.emit(line, bytes)
                traffic.accepted(line)
            }
        }
        var manifest =
            "# partner/name\tmsgId\toutcome\tanswer\troutedTo\treceiver\trelayTo\tafter\ttake\tflow "
            + "(bench/GatewayBench/TrafficGenerator.swift)\n"
        for line in traffic.lines { manifest += line.manifestLine + "\n" }
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: "\(directory)/manifest.tsv"))
        func tally(_ key: (Line) -> String) -> String {
            let counts: [String: Int] = Dictionary(grouping: traffic.lines, by: key).mapValues(\.count)
            return counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        let size = traffic.written / 1_000_000
        print(
            "generated \(traffic.lines.count) files (\(size) MB) in \(directory): \(tally(\.outcome)); flows: \(tally(\.flow))"
        )
    }

    /// A message the gateway accepts, with where it must be routed.
    static func valid(index: Int, name: String, roll: Double, random: inout SplitMix) -> (Line, [UInt8]) {
        let msgId = "soak-\(index)-\(random.next() % 1_000_000)"
        let place = kommuner[random.below(kommuner.count)]
        let patient = SampleMessageFactory.PatientData(fnr: syntheticFnr(&random), kommune: place.kommune)
        let hospital = hospitals[0]
        func message(from sender: SampleMessageFactory.Party, to receiver: SampleMessageFactory.Party, event: String?)
            -> SampleMessageFactory.Message
        {
            var m = SampleMessageFactory.Message(
                msgId: msgId, sender: sender, receiver: receiver, patient: patient, pathwayEvent: event)
            m.noteDate = "2026-11-\(String(format: "%02d", 1 + random.below(28)))"
            return m
        }
        /// Delivered to the kommune: answered by the receiver (spec §7), Receiver HER-ids `receiver`.
        func delivered(
            _ flow: String, from sender: (partner: String, party: SampleMessageFactory.Party), contact: String,
            receiver: [String]
        ) -> Line {
            var line = Line(
                partner: sender.partner, name: name, msgId: msgId, outcome: "accepted", answer: "-",
                routedTo: place.partner, contact: contact)
            line.receiver = receiver.joined(separator: ",")
            line.flow = flow
            line.senderIds = [sender.party.herId, departments[sender.partner] ?? ""]
            line.patient = patient
            return line
        }
        switch roll {
        case ..<0.60:  // SP1 from the hospital, routed to the kommune's pakkeforløp-hjem contact point
            var m = message(from: hospital.party, to: gateway, event: "PFH-SP1")
            if index % 4 == 0 { m.attachmentBytes = 10_000 + random.below(70_000) }
            return (delivered("sp1", from: hospital, contact: place.pfh, receiver: [place.any, place.pfh]), bytes(m))
        case ..<0.75:  // a plain note to a kommune, routed by its Receiver (kept as written)
            let receiver = SampleMessageFactory.Party(name: "Kommune", herId: place.any)
            let m = message(from: hospital.party, to: receiver, event: nil)
            return (delivered("note", from: hospital, contact: place.any, receiver: [place.any]), bytes(m))
        case ..<0.85:  // psychiatric follow-up, Dialogmelding 1.0, to the kommune's `*` contact point
            var m = message(from: hospital.party, to: gateway, event: "NPF-KOMMUNE")
            m.dialogVersion = .v1_0
            // The contact point is the kommune's own HER-id; the Receiver wraps it in the partner's
            // other HER-id as its organisation (Router.target, asserted by RouterTests).
            return (delivered("npf", from: hospital, contact: place.any, receiver: [place.any]), bytes(m))
        case ..<0.95:  // the municipality's own SP2/SP3 needs assessment: recorded, not routed
            let own = SampleMessageFactory.Party(name: "Kommune", herId: place.pfh)
            let m = message(from: own, to: gateway, event: index % 2 == 0 ? "PFH-SP2" : "PFH-SP3")
            var line = Line(
                partner: place.partner, name: name, msgId: msgId, outcome: "accepted", answer: "1", routedTo: "-")
            line.flow = "sp2-sp3"
            return (line, bytes(m))
        default:  // the lenient hospital, with NAV-style header deviations (accepted with warnings)
            let m = message(from: hospitals[1].party, to: gateway, event: "PFH-SP1")
            let text = String(decoding: bytes(m), as: UTF8.self).replacingOccurrences(
                of: "<Ack V=\"J\" DN=\"Ja\"/>",
                with:
                    "<ConversationRef><RefToConversation>c-\(index)</RefToConversation><RefToParent>p-\(index)</RefToParent></ConversationRef><Ack V=\"J\" DN=\"Ja\"/>"
            )
            let line = delivered(
                "lenient-sp1", from: hospitals[1], contact: place.pfh, receiver: [place.any, place.pfh])
            return (line, Array(text.utf8))
        }
    }

    /// One of the invalid kinds, in turn, or an AppRec from a municipality that matches nothing.
    static func invalid(index: Int, name: String, random: inout SplitMix) -> (Line, [UInt8]) {
        let msgId = "soak-bad-\(index)"
        let hospital = hospitals[0]
        var m = SampleMessageFactory.Message(
            msgId: msgId, sender: hospital.party, receiver: gateway,
            patient: .init(fnr: syntheticFnr(&random), kommune: "4601"), pathwayEvent: "PFH-SP1")
        func line(
            _ answer: String, partner: String = hospital.partner, outcome: String = "rejected", id: String = msgId
        ) -> Line {
            Line(partner: partner, name: name, msgId: id, outcome: outcome, answer: answer, routedTo: "-")
        }
        switch index % 8 {
        case 0:
            m.patient?.fnr = "03851598731"
            return (line("2:E31"), bytes(m))
        case 1:
            m.patient?.fnr = nil
            return (line("2:E30"), bytes(m))
        case 2:
            return (line("2:T01"), Array(bytes(m).prefix(900)))  // cut off, MsgId salvaged
        case 3:
            m.genDate = "i går"
            return (line("2:T02"), bytes(m))
        case 4:
            let text = String(decoding: bytes(m), as: UTF8.self).replacingOccurrences(
                of: "DIALOG_HELSEFAGLIG", with: "EPIKRISE")
            return (line("2:T10"), Array(text.utf8))
        case 5:
            return (line("notice:T01", id: "-"), Array("not xml at all \(index)\n".utf8))
        case 6:  // Helse Bergen's message in Haraldsplass's inbox: a spoofed sender
            return (line("2:X99", partner: hospitals[1].partner), bytes(m))
        default:  // a municipality's receipt for something never routed: recorded, never answered
            let answer = AppRec(
                version: .v1_1, genDate: "2026-11-23T12:00:00", id: "soak-apprec-\(index)",
                sender: .init(institution: .init(name: "Bergen kommune", herId: "8150100")),
                receiver: .init(institution: .init(name: gateway.name, herId: gateway.herId)),
                status: .ok, errors: [],
                originalMsgId: .init(
                    msgType: CodedValue(v: "DIALOG_HELSEFAGLIG"), issueDate: "2026-11-23T10:00:00",
                    id: "never-routed-\(index)"))
            return (
                line("-", partner: "bergen-kommune", outcome: "apprec-received", id: answer.id),
                AppRecEncoder.encode(answer)
            )
        }
    }

    /// The manifest line of a receiving municipality's AppRec: recorded, never answered by the
    /// gateway, relayed to the original's sender; released once the original is finished.
    static func receipt(answering original: Line, name: String, index: Int) -> Line {
        var line = Line(
            partner: original.routedTo, name: name, msgId: "soak-answer-\(index)", outcome: "apprec-received",
            answer: "-", routedTo: "-")
        line.relayTo = original.partner
        line.after = original.key
        line.flow = "apprec-kommune"
        line.index = index
        return line
    }

    /// That AppRec as the municipality writes it: Sender = the contact point, Receiver = the
    /// hospital department that wrote the original, OriginalMsgId = the original's MsgId.
    static func receiptBytes(answering original: Line, index: Int) -> [UInt8] {
        let bergen = original.partner == hospitals[0].partner
        let hospital = bergen ? ("Helse Bergen HF", "8150010", "8150011") : ("Haraldsplass", "8150020", "8150021")
        let answer = AppRec(
            version: .v1_1, genDate: "2026-11-23T12:00:00", id: "soak-answer-\(index)",
            sender: .init(institution: .init(name: "Kommune", herId: original.contact)),
            receiver: .init(
                institution: .init(name: hospital.0, herId: hospital.1),
                department: .init(name: "Avdeling", herId: hospital.2)),
            status: index % 7 == 0 ? .rejected : .ok,
            errors: index % 7 == 0 ? [.init(code: "E21", description: "Mottaker ukjent")] : [],
            originalMsgId: .init(
                msgType: CodedValue(v: "DIALOG_HELSEFAGLIG"), issueDate: "2026-11-23T10:00:00", id: original.msgId))
        return AppRecEncoder.encode(answer)
    }

    static func bytes(_ m: SampleMessageFactory.Message) -> [UInt8] { Array(SampleMessageFactory.xml(m).utf8) }

    /// A synthetic test person (month + 80) with valid check digits: never a real person.
    static func syntheticFnr(_ random: inout SplitMix) -> String {
        while true {
            let day = 1 + random.below(28)
            let month = 81 + random.below(12)
            let year = random.below(100)
            let person = random.below(500)
            let base = String(format: "%02d%02d%02d%03d", day, month, year, person)
            var digits = base.utf8.map { Int($0) - 48 }
            let k1 = (11 - zip(digits, [3, 7, 6, 1, 8, 9, 4, 5, 2]).reduce(0) { $0 + $1.0 * $1.1 } % 11) % 11
            guard k1 < 10 else { continue }
            digits.append(k1)
            let k2 = (11 - zip(digits, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]).reduce(0) { $0 + $1.0 * $1.1 } % 11) % 11
            guard k2 < 10 else { continue }
            let number = base + "\(k1)\(k2)"
            if Fodselsnummer.isValid(number) { return number }
        }
    }

    /// The library's seeded generator: the same seed gives the same traffic.
    typealias SplitMix = SplitMix64
}
