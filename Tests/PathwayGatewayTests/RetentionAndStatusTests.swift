import Foundation
import Synchronization
import Testing
@testable import PathwayGateway

/// Retention and status as library functions on a spool the real pipeline filled (in-process
/// `GatewayDaemon`), with the clock moved instead of waiting.
@Suite struct RetentionAndStatusTests {
    final class FilledSpool {
        let dir: DatabaseTestDirectory
        let config: GatewayConfig
        let daemon: GatewayDaemon
        var spool: Spool { Spool(root: config.spool) }

        init(retention: OperationsSettings.Retention = .init()) throws {
            dir = try DatabaseTestDirectory()
            var config = ConfigTests.relocated(DefaultConfig.load(currentDirectory: "/"), spool: dir.path("spool"))
            config.operations.retention = retention
            self.config = config
            daemon = try GatewayDaemon(config: config, schemas: TestSchemas.ours)
            for sample in SampleSet.all { try drop(sample.bytes, as: sample.fileName) }
            _ = try daemon.drain()
        }

        func drop(_ bytes: [UInt8], as name: String, inbox: String = "helse-bergen") throws {
            try DemoTour.deliver(.init(inbox: inbox, fileName: name, story: "", bytes: bytes), into: spool.inbound(inbox))
        }

        func names(_ dir: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }
    }

    @Test func archiveAndQuarantineArePrunedByAgeWithTheirReasonFiles() throws {
        let s = try FilledSpool(retention: .init(archiveDays: 90, quarantineDays: 365))
        let archive = s.spool.archive("helse-bergen"), quarantine = s.spool.quarantine("helse-bergen")
        #expect(s.names(archive).count == 3)
        #expect(s.names(quarantine).count == 10, "five originals, five reason files")
        // A temporary file of the daemon's is never touched.
        #expect(FileManager.default.createFile(atPath: "\(archive)/.x.xml.1.tmp", contents: Data()))
        let db = try OperationsQueries(databasePath: s.spool.database).db
        let early = Retention.run(spool: s.spool, partners: s.config.partners, settings: s.config.operations.retention,
                                  database: db, now: Date().addingTimeInterval(89 * 86_400))
        #expect(early.archiveFilesRemoved == 0 && early.quarantineFilesRemoved == 0 && early.outputBlobsCleared == 0)
        #expect(early.checkpointedPages != nil)
        let later = Retention.run(spool: s.spool, partners: s.config.partners, settings: s.config.operations.retention,
                                  database: db, now: Date().addingTimeInterval(91 * 86_400))
        #expect(later.archiveFilesRemoved == 3 && later.archiveBytesRemoved > 6_000)
        #expect(later.quarantineFilesRemoved == 0)
        #expect(s.names(archive) == [".x.xml.1.tmp"])
        #expect(s.names(quarantine).count == 10)
        #expect(later.problems.isEmpty)
        let last = Retention.run(spool: s.spool, partners: s.config.partners, settings: s.config.operations.retention,
                                 database: db, now: Date().addingTimeInterval(366 * 86_400))
        #expect(last.quarantineFilesRemoved == 10)
        #expect(s.names(quarantine).isEmpty)
    }

    /// Output bytes go; the AppRec bytes that answer duplicates stay, so a retransmission a year
    /// later still gets the byte-identical receipt and is not routed again.
    @Test func databaseRetentionKeepsDuplicateAnsweringIntact() throws {
        let s = try FilledSpool(retention: .init(archiveDays: 30))
        let db = try OperationsQueries(databasePath: s.spool.database).db
        // The daemon stages outputs as files and records their names: no output bytes to clear.
        let outputBytes = try db.query("SELECT coalesce(sum(length(bytes)), 0) FROM outputs") { try $0.int64(0) }.first
        #expect(outputBytes == 0)
        let report = Retention.run(spool: s.spool, partners: s.config.partners, settings: s.config.operations.retention,
                                   database: db, now: Date().addingTimeInterval(31 * 86_400))
        #expect(report.outputBlobsCleared == 0)
        #expect(try db.query("SELECT count(*) FROM outputs WHERE length(bytes) > 0") { try $0.int(0) }.first == 0)
        #expect(try db.query("SELECT count(*) FROM apprecs WHERE length(bytes) > 0") { try $0.int(0) }.first == SampleSet.all.count - 3, "the three delivered samples are answered by Bergen")

        // A delivered message resent after retention: nothing new (its receiver answers it, spec §7).
        let receipts = Set(s.names(s.spool.outbound("helse-bergen")))
        try s.drop(SampleSet.all[0].bytes, as: "resent-after-retention.xml")
        _ = try s.daemon.drain()
        #expect(Set(s.names(s.spool.outbound("helse-bergen"))) == receipts)
        #expect(s.names(s.spool.outbound("bergen-kommune")).count == 3, "nothing routed twice")
    }

    @Test func retentionRunsAtMostHourlyAndIsLogged() throws {
        let s = try FilledSpool(retention: .init(quarantineDays: 1))
        let now = Mutex(Date().addingTimeInterval(2 * 86_400))
        let logged = Mutex<[String]>([])
        let logger = GatewayLogger(clock: { Date() }) { line in logged.withLock { $0.append(line) } }
        let service = OperationsService(config: s.config, metrics: GatewayMetrics(), logger: logger, clock: { now.withLock { $0 } })
        #expect(service.maintainIfDue()?.quarantineFilesRemoved == 10)
        #expect(service.maintainIfDue() == nil)
        now.withLock { $0 += 3_599 }
        #expect(service.maintainIfDue() == nil)
        now.withLock { $0 += 1 }
        #expect(service.maintainIfDue()?.quarantineFilesRemoved == 0)
        let lines = logged.withLock { $0 }
        #expect(lines.count == 2)
        #expect(lines[0].contains("msg=retention") && lines[0].contains("quarantine_removed=10") && lines[0].contains("quarantine_days=1"))
        #expect(!lines[0].contains("archive_days"), "a setting that is off is left out, not written as text (issue 19, item 6)")
        let reloaded = OperationsService(config: s.config, metrics: GatewayMetrics(), logger: logger, continuing: service,
                                         clock: { now.withLock { $0 } })
        #expect(reloaded.maintainIfDue() == nil, "a reload does not run retention again before the hour is up")
    }

    @Test func statusReportsFlowAndJudgesHealth() throws {
        let s = try FilledSpool()
        let stopped = GatewayStatus.collect(config: s.config)
        #expect(!stopped.healthy && !stopped.daemon.running)
        #expect(stopped.outcomes?.lastHour == ["accepted": 3, "rejected": 5])
        #expect(stopped.quarantined == 5)
        #expect(stopped.awaitingAppRec?.count == 3)
        #expect(stopped.awaitingAppRec?.byPartner.map(\.partner) == ["bergen-kommune"])
        let records = String(decoding: try Data(contentsOf: URL(fileURLWithPath: s.spool.auditLog)), as: UTF8.self).split(separator: "\n")
        #expect(stopped.auditHead?.seq == records.count)
        #expect(stopped.overduePathways == nil && stopped.text.contains("overdue pathways:   n/a"))
        // Tomorrow, the last hour is empty and the day still counts them.
        let tomorrow = GatewayStatus.collect(config: s.config, now: Date().addingTimeInterval(23 * 3_600))
        #expect(tomorrow.outcomes?.lastHour == [:])
        #expect(tomorrow.outcomes?.lastDay == ["accepted": 3, "rejected": 5])

        let lock = try SpoolLock.acquire(s.spool.lockFile)
        let running = GatewayStatus.collect(config: s.config, overduePathways: { _, _ in 4 })
        #expect(running.healthy, "\(running.problems)")
        #expect(running.daemon == .init(running: true, pid: getpid()))
        #expect(running.overduePathways == 4)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(running.json.utf8)) as? [String: Any])
        #expect(json["healthy"] as? Bool == true)
        #expect((json["awaitingAppRec"] as? [String: Any])?["count"] as? Int == 3)

        // A file stuck in an inbox makes it unhealthy, judged by when it arrived (ctime), never by
        // the mtime its sender set: here, ten minutes from now, with an mtime from 2099.
        try s.drop(SampleSet.all[1].bytes, as: "stuck.xml")
        let path = "\(s.spool.inbound("helse-bergen"))/stuck.xml"
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 4_070_908_800)], ofItemAtPath: path)
        let stuck = GatewayStatus.collect(config: s.config, now: Date().addingTimeInterval(600))
        #expect(!stuck.healthy)
        #expect(stuck.problems.count == 1 && stuck.problems[0].contains("inbound file has waited 10 min"), "\(stuck.problems)")
        #expect(stuck.inboxes.first?.waiting == 1)
        #expect(GatewayStatus.collect(config: s.config, policy: .init(maxInboundAgeSeconds: 900), now: Date().addingTimeInterval(600)).healthy)

        // A claimed file that stays in processing/ (a batch failing and retried) does too, judged
        // by the claim's time (ctime), not the partner's mtime: here, ten minutes from now.
        let claimed = "\(s.spool.processing("helse-bergen"))/stuck.xml"
        #expect(rename(path, claimed) == 0)
        let retrying = GatewayStatus.collect(config: s.config, now: Date().addingTimeInterval(600))
        #expect(!retrying.healthy)
        #expect(retrying.problems.count == 1 && retrying.problems[0].contains("in processing for 10 min"), "\(retrying.problems)")
        #expect(retrying.inboxes.first?.processing == 1 && retrying.inboxes.first?.waiting == 0)
        #expect(GatewayStatus.collect(config: s.config).healthy, "claimed just now: a batch in hand")
        withExtendedLifetime(lock) {}
        for fnr in SampleSet.patients { #expect(!running.json.contains(fnr) && !running.text.contains(fnr)) }
    }
}
