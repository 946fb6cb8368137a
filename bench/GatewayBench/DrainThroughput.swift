import Foundation
import PathwayGateway

/// The backlog benchmark: N realistic inbound files waiting in the hospital's inbox, drained by the
/// real daemon code with full durability (group commit; SQLite synchronous=FULL), then the
/// municipalities' AppRecs for a third of what was routed, drained the same way.
///
/// Mix: Dialogmelding 1.1 PFH-SP1/SP2/SP3 to the six kommuner of the default config (every tenth
/// with a 40 kB PDF), 15 % Dialogmelding 1.0 NPF-KOMMUNE notes, ~2 % duplicates (an earlier file
/// sent again), ~1 % invalid (a bad fødselsnummer check digit: E31).
enum DrainThroughput {
    /// `directory`: where the spool goes (default: the temporary directory) — the filesystem is
    /// what is measured, so point it at the one production would use.
    /// `batchSize`, `workers`: the config's values instead of their defaults.
    static func run(count: Int, under directory: String?, batchSize: Int? = nil, workers: Int? = nil) throws {
        let parent = directory.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        let root = parent.appendingPathComponent("pg-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        var config = DefaultConfig.load(currentDirectory: root)
        config.spool = root + "/spool"
        if let batchSize { config.batchSize = batchSize }
        if let workers { config.workers = workers }
        let daemon = try GatewayDaemon(config: config, schemas: try SchemaLocator.load())
        let inbox = daemon.worker.spool.inbound("helse-bergen")
        var previous: [Data] = []
        for i in 0..<count {
            let bytes = i % 50 == 49 && !previous.isEmpty ? previous[i % previous.count] : Data(message(i).utf8)
            if previous.count < 100 { previous.append(bytes) }
            try bytes.write(to: URL(fileURLWithPath: "\(inbox)/m\(i).xml"))
        }
        // A backlog has been waiting: its files are on disk, not dirty in the page cache, or the
        // drain's first sync would be charged with writing the whole backlog.
        sync()
        let cpuBefore = cpuSeconds()
        perfControl("enable")
        let drained = try timed { try daemon.drain() }
        perfControl("disable")
        let (user, system) = (cpuSeconds().user - cpuBefore.user, cpuSeconds().system - cpuBefore.system)
        let cpu = user + system
        print(
            String(
                format: "drained %d files in %.2f s: %.0f msgs/s (durable: group commit, SQLite FULL); "
                    + "CPU %.2f s (%.0f %% system) = %.2f cores busy, %.0f µs per message",
                drained.value, drained.seconds, Double(drained.value) / drained.seconds,
                cpu, system / cpu * 100, cpu / drained.seconds, cpu / Double(drained.value) * 1e6))
        let answers = try appRecsForRouted(in: daemon.worker.spool, partners: config.partners, every: 3)
        let received = try timed { try daemon.drain() }
        print(
            String(
                format: "then %d municipal AppRecs in %.2f s: %.0f msgs/s (%d expected)", received.value,
                received.seconds,
                Double(received.value) / received.seconds, answers))
    }

    static let hospital = SampleMessageFactory.Party(
        name: "Helse Bergen HF", herId: "8150010", unitName: "Kreftavdelingen", unitHerId: "8150011")
    static let gateway = SampleMessageFactory.Party(name: "Forløpsgateway Helse Vest", herId: "8150001")
    static let kommuner = ["4601", "0301", "5001", "1103", "1508", "5501"]

    /// The i-th message of the mix. Patients are distinct (a synthetic fødselsnummer from i), as
    /// in real traffic: one patient's pathway has a handful of events, and the gateway re-derives
    /// that patient's episodes with each (until session 7 every message named one patient).
    static func message(_ i: Int) -> String {
        var random = TrafficGenerator.SplitMix(seed: UInt64(i))
        let events = ["PFH-SP1", "PFH-SP1", "PFH-SP2", "PFH-SP3"]
        var m = SampleMessageFactory.Message(
            msgId: "bench-\(i)", sender: hospital, receiver: gateway,
            patient: .init(
                fnr: i % 100 == 37 ? "03851598731" : TrafficGenerator.syntheticFnr(&random),
                kommune: kommuner[i % kommuner.count]),
            pathwayEvent: events[i % events.count])
        m.attachmentBytes = i % 10 == 0 ? 40_000 : 0
        if i % 20 < 3 {
            m.dialogVersion = .v1_0
            m.pathwayEvent = "NPF-KOMMUNE"
        }
        return SampleMessageFactory.xml(m)
    }

    /// Writes an AppRec (status OK) from the receiving municipality for every `every`-th routed
    /// message into that municipality's inbox; returns how many. A routed file is named after
    /// its MsgId, which the AppRec's OriginalMsgId answers.
    static func appRecsForRouted(in spool: Spool, partners: [Partner], every: Int) throws -> Int {
        var written = 0
        for partner in partners where partner.id.hasSuffix("-kommune") {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: spool.outbound(partner.id))) ?? [])
                .sorted()
            for (n, name) in names.enumerated() where n % every == 0 && !name.hasPrefix(".") && name.hasSuffix(".xml") {
                let answer = AppRec(
                    version: .v1_1, genDate: "2026-11-23T12:00:00", id: "kvittering-\(partner.id)-\(n)",
                    sender: .init(institution: .init(name: partner.name, herId: partner.herIds[0])),
                    receiver: .init(institution: .init(name: gateway.name, herId: gateway.herId)),
                    status: .ok, errors: [],
                    originalMsgId: .init(
                        msgType: CodedValue(v: "DIALOG_HELSEFAGLIG", dn: "Helsefaglig dialog"),
                        issueDate: "2026-11-23T10:15:00",
                        id: String(name.dropLast(4))))
                try Data(AppRecEncoder.encode(answer)).write(
                    to: URL(fileURLWithPath: "\(spool.inbound(partner.id))/apprec-\(n).xml"))
                written += 1
            }
        }
        return written
    }

    /// Profiles only the drain: with `GATEWAY_BENCH_PERF_CTL` naming the control FIFO of a
    /// `perf record --control fifo:FIFO -D -1` (started disabled), perf samples the drain and not
    /// the generation of its backlog.
    static func perfControl(_ command: String) {
        guard let fifo = ProcessInfo.processInfo.environment["GATEWAY_BENCH_PERF_CTL"],
            let handle = FileHandle(forWritingAtPath: fifo)
        else { return }
        handle.write(Data("\(command)\n".utf8))
        try? handle.close()
    }

    /// User and system CPU time of this process so far.
    static func cpuSeconds() -> (user: Double, system: Double) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return (seconds(usage.ru_utime), seconds(usage.ru_stime))
    }

    static func timed<T>(_ body: () throws -> T) rethrows -> (value: T, seconds: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try body()
        return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}
