import Foundation
import Testing
@testable import PathwayGateway

/// Reminders (spec §9) through the real binary on a chosen day (`PATHWAY_GATEWAY_TODAY`): Bergen's
/// pakkeforløp-hjem contact point has `reminders: true` in the sample config, Oslo's has not.
/// Patient A's SP1 states diagnosis date 2026-08-01, so the SP2 window is 2026-11-01–2026-12-01.
@Suite struct ReminderEndToEndTests {
    typealias Workspace = DaemonEndToEndTests.Workspace
    static let (patientA, patientB) = (SampleSet.patients[0], SampleSet.patients[1])
    static let bergenPoint = SampleMessageFactory.Party(
        name: "Bergen kommune", herId: "8150100", unitName: "Kreftkoordinator", unitHerId: "8150101")
    static let (before, open) = ("2026-10-01", "2026-11-10")

    static func sp1(_ id: String, fnr: String = patientA, kommune: String = "4601") -> [UInt8] {
        PathwaysEndToEndTests.message(
            id, event: "PFH-SP1", fnr: fnr, kommune: kommune, noteDate: "2026-08-10",
            text: "Behovskartlegging gjennomført.\nDiagnosedato: 2026-08-01")
    }

    @discardableResult
    static func run(_ ws: Workspace, today: String, crashAt: String? = nil) throws -> GatewayProcess.Output {
        var env = ["PATHWAY_GATEWAY_CONFIG": "", "PATHWAY_GATEWAY_TODAY": today]
        if let crashAt { env["PATHWAY_GATEWAY_CRASH_AT"] = crashAt }
        return try GatewayProcess.run(["run", "--once"], environment: env, cwd: ws.root)
    }

    /// The reminders in a partner's outbound (each checked against the official schemas).
    static func reminders(_ ws: Workspace, _ partner: String = "bergen-kommune") throws -> [(name: String, head: MsgHead)] {
        try ConversationEndToEndTests.copies(ws, partner).filter { $0.head.msgId.hasPrefix("pgw-reminder-") }
    }

    static func database(_ ws: Workspace) throws -> SQLiteDatabase {
        try SQLiteDatabase(path: ws.root.appendingPathComponent("spool/state/gateway.sqlite").path)
    }

    @Test func oneReminderWhenTheWindowOpensAuditedAndNeverAgain() throws {
        let ws = try Workspace()
        try ws.drop(Self.sp1("rem-sp1-a"), as: "a.xml")
        let first = try Self.run(ws, today: Self.open)
        #expect(first.status == 0, "\(first.stderr)")
        let inbox = try FileManager.default.attributesOfItem(
            atPath: ws.root.appendingPathComponent("spool/inbound/\(Partner.internalId)").path)
        #expect((inbox[.posixPermissions] as? NSNumber)?.intValue == 0o700, "what lands there is sent as the gateway")
        let sent = try Self.reminders(ws)
        try #require(sent.count == 1, "\(ws.visible("outbound/bergen-kommune"))")
        let head = sent[0].head
        #expect(head.typeCode == "DIALOG_HELSEFAGLIG")
        #expect(head.sender.allHerIds == ["8150001"] && head.sender.name == "Forløpsgateway Helse Vest")
        #expect(head.receiver.allHerIds == ["8150100", "8150101"], "partner outermost, the contact point innermost")
        #expect(head.patient?.personalIdent?.id == Self.patientA && head.patient?.kommune == "4601")
        let text = String(decoding: try ws.read("outbound/bergen-kommune/\(sent[0].name)"), as: UTF8.self)
        #expect(text.contains("Påminnelse: vinduet for SP2 (3–4 måneder etter diagnosedato)"), "\(text)")
        #expect(text.contains("er åpent 1.11.2026–1.12.2026. Diagnosedato 1.8.2026 (oppgitt i SP1)."), "\(text)")
        #expect(TestSchemas.validator.validate(Array(text.utf8)).isSuccess, "valid against our Schemas/")

        let audit = try ws.auditRecords(event: "reminder-sent")
        #expect(audit.count == 1 && audit[0]["partner"] as? String == "bergen-kommune")
        #expect((audit[0]["patient"] as? String)?.hasPrefix("p-") == true && audit[0]["msgId"] as? String == head.msgId)
        let received = try ws.auditRecords().filter { $0["partner"] as? String == Partner.internalId }
        #expect(received.count == 1 && received[0]["outcome"] as? String == "accepted")
        let log = String(decoding: try ws.read("audit/audit.jsonl"), as: UTF8.self)
        #expect(!log.contains(Self.patientA) && !first.stderr.contains(Self.patientA))

        for _ in 0..<2 { #expect(try Self.run(ws, today: Self.open).status == 0) }
        #expect(try Self.run(ws, today: "2026-11-30").status == 0)
        #expect(try Self.reminders(ws).count == 1, "exactly once per patient and window")
        #expect(try ws.auditRecords(event: "reminder-sent").count == 1)
        #expect(ws.files("inbound/\(Partner.internalId)").isEmpty)
    }

    @Test func theContactPointsAppRecIsRecordedNotRelayed() throws {
        let ws = try Workspace()
        try ws.drop(Self.sp1("rem-sp1-b"), as: "a.xml")
        try Self.run(ws, today: Self.open)
        let reminder = try #require(try Self.reminders(ws).first)
        let status = { try GatewayProcess.run(["status"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root).stdout }
        #expect(try status().contains("MsgId \(reminder.head.msgId)"), "awaiting its AppRec in status")
        let answer = ConversationEndToEndTests.answer(reminder.head, id: "bergen-kvittering-r1", from: "8150101")
        try ws.drop(answer, as: "apprec.xml", inbox: "bergen-kommune")
        let result = try Self.run(ws, today: Self.open)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(ws.visible("outbound/\(Partner.internalId)").isEmpty && ws.visible("outbound/helse-bergen").isEmpty)
        #expect(try ws.auditRecords(event: "apprec-relayed").isEmpty)
        let record = try #require(try ws.auditRecords().last)
        #expect(record["outcome"] as? String == "apprec-received")
        #expect((record["errors"] as? [String])?.contains { $0.contains("recorded, not relayed") } == true)
        let states = try Self.database(ws).query(
            "SELECT state FROM routed WHERE routed_msg_id = ?", [reminder.head.msgId]) { try $0.string(0) }
        #expect(states == ["delivered"], "the reminder's routed row is answered")
        #expect(try !status().contains("MsgId \(reminder.head.msgId)"))
    }

    /// The contact point answers the reminder itself (a reply naming it): the gateway is that
    /// reply's final receiver and answers it; nothing goes to its own outbound.
    @Test func aReplyToAReminderIsAnsweredByTheGateway() throws {
        let ws = try Workspace()
        try ws.drop(Self.sp1("rem-sp1-reply"), as: "a.xml")
        try Self.run(ws, today: Self.open)
        let reminder = try #require(try Self.reminders(ws).first)
        let kommuneBefore = ws.visible("outbound/bergen-kommune")
        try ws.drop(
            ConversationRepliesEndToEndTests.reply(
                "bergen-svar-paaminnelse", from: Self.bergenPoint, to: RouterTests.gateway, parent: reminder.head.msgId,
                conversation: reminder.head.msgId), as: "svar.xml", inbox: "bergen-kommune")
        #expect(try Self.run(ws, today: Self.open).status == 0)
        #expect(ws.visible("outbound/\(Partner.internalId)").isEmpty)
        let added = ws.visible("outbound/bergen-kommune").filter { !kommuneBefore.contains($0) }
        try #require(added.count == 1)
        let appRec = try #require(AppRec(try SafeXMLParser.parse(try ws.read("outbound/bergen-kommune/\(added[0])")).root))
        #expect(appRec.status == .ok && appRec.originalMsgId.id == "bergen-svar-paaminnelse")
    }

    @Test func noReminderWithoutRemindersOnOrWhenSP2IsRecorded() throws {
        let ws = try Workspace()
        try ws.drop(Self.sp1("rem-sp1-oslo", fnr: Self.patientB, kommune: "0301"), as: "oslo.xml")
        try ws.drop(Self.sp1("rem-sp1-c"), as: "bergen.xml")
        #expect(try Self.run(ws, today: Self.before).status == 0)
        let sp2 = PathwaysEndToEndTests.message(
            "rem-sp2-c", event: "PFH-SP2", fnr: Self.patientA, kommune: "4601", noteDate: "2026-10-20",
            sender: Self.bergenPoint)
        try ws.drop(sp2, as: "sp2.xml", inbox: "bergen-kommune")
        #expect(try Self.run(ws, today: Self.before).status == 0)
        #expect(try Self.run(ws, today: Self.open).status == 0)
        #expect(try Self.reminders(ws).isEmpty && Self.reminders(ws, "oslo-kommune").isEmpty)
        #expect(try ws.auditRecords(event: "reminder-sent").isEmpty)
    }

    @Test func noReminderWhenTheOriginalIsGone() throws {
        let ws = try Workspace()
        try ws.drop(Self.sp1("rem-sp1-d"), as: "a.xml")
        #expect(try Self.run(ws, today: Self.before).status == 0)
        for name in ws.files("archive/helse-bergen") {
            try FileManager.default.removeItem(at: ws.root.appendingPathComponent("spool/archive/helse-bergen/\(name)"))
        }
        let result = try Self.run(ws, today: Self.open)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("reminder not sent") && !result.stderr.contains(Self.patientA), "\(result.stderr)")
        #expect(try Self.reminders(ws).isEmpty)
        let notes = try Self.database(ws).query("SELECT note FROM pathway_reminders WHERE file_name IS NULL") {
            try $0.string(0)
        }
        #expect(notes.count == 1 && notes[0].contains("no longer in the archive"), "\(notes)")
        let again = try Self.run(ws, today: Self.open)
        #expect(!again.stderr.contains("reminder not sent"), "said once")
    }

    /// The serving daemon ticks at start and after a pass that took files: an SP1 whose window is
    /// already open gets its reminder without a restart; SIGTERM, then a restart sends nothing more.
    @Test func theServingDaemonRemindsAndARestartSendsNothingMore() throws {
        let ws = try Workspace()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.binary)
        process.arguments = ["run"]
        process.currentDirectoryURL = ws.root
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["PATHWAY_GATEWAY_CONFIG": "", "PATHWAY_GATEWAY_TODAY": Self.open]) { $1 }
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        #expect(eventually { ws.files("state").contains("gateway.sqlite") })
        try ws.drop(Self.sp1("rem-sp1-f"), as: "a.xml")
        #expect(eventually { ((try? Self.reminders(ws)) ?? []).count == 1 }, "\(ws.visible("outbound/bergen-kommune"))")
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try Self.run(ws, today: Self.open).status == 0)
        #expect(try Self.reminders(ws).count == 1 && ws.auditRecords(event: "reminder-sent").count == 1)
    }

    /// `state rebuild` keeps message keys, not intents: the window's reminder was sent, and the
    /// deterministic MsgId says so; nothing is written again (no E10 for a second file).
    @Test func afterAStateRebuildNothingIsSentAgain() throws {
        let ws = try Workspace()
        try ws.drop(Self.sp1("rem-sp1-g"), as: "a.xml")
        #expect(try Self.run(ws, today: Self.open).status == 0)
        let state = ws.root.appendingPathComponent("spool/state")
        for name in ws.files("state") where name.hasPrefix("gateway.sqlite") {
            try FileManager.default.removeItem(at: state.appendingPathComponent(name))
        }
        let rebuilt = try GatewayProcess.run(["state", "rebuild"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        #expect(rebuilt.status == 0, "\(rebuilt.stdout)\(rebuilt.stderr)")
        let again = try Self.run(ws, today: Self.open)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Self.reminders(ws).count == 1 && ws.auditRecords(event: "reminder-sent").count == 1)
        #expect(ws.files("inbound/\(Partner.internalId)").isEmpty && ws.files("quarantine/\(Partner.internalId)").isEmpty)
        let notes = try Self.database(ws).query("SELECT note FROM pathway_reminders") { try $0.optionalString(0) }
        #expect(notes == [ReminderSweep.sentBefore], "the rebuilt episode's window was found and known as sent")
    }

    /// A crash between the intent and its file, and at each step of the pipeline: exactly one
    /// reminder once the gateway has run again.
    @Test(arguments: ["reminder-intent", "staged", "decided", "routed-written", "archived"])
    func exactlyOneReminderWhateverTheCrash(_ step: String) throws {
        let ws = try Workspace()
        try ws.drop(Self.sp1("rem-sp1-e"), as: "a.xml")
        #expect(try Self.run(ws, today: Self.before).status == 0)
        let crashed = try Self.run(ws, today: Self.open, crashAt: step)
        #expect(crashed.status == 137, "\(step): \(crashed.stderr)")
        #expect(try Self.run(ws, today: Self.open).status == 0)
        #expect(try Self.run(ws, today: Self.open).status == 0)
        #expect(try Self.reminders(ws).count == 1, "\(step): \(ws.visible("outbound/bergen-kommune"))")
        #expect(try ws.auditRecords(event: "reminder-sent").count == 1, "\(step)")
        #expect(ws.visible("inbound/\(Partner.internalId)").isEmpty)
        let verify = try GatewayProcess.run(["audit", "verify"], environment: ["PATHWAY_GATEWAY_CONFIG": ""], cwd: ws.root)
        #expect(verify.status == 0, "\(step): \(verify.stdout) \(verify.stderr)")
    }
}

extension Result {
    var isSuccess: Bool { if case .success = self { true } else { false } }
}
