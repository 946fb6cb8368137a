import Foundation
import PathwayGateway

/// Issue 3's backlog benchmark: N realistic messages (Dialogmelding 1.1 PFH-SP1 to the kommuner of
/// the default config, every tenth with a 40 kB PDF) waiting in inbound, drained by the real daemon
/// code with full durability (SQLite synchronous=FULL, fsync on every output and directory).
enum DrainThroughput {
    /// `directory`: where the spool goes (default: the temporary directory) — the filesystem is
    /// what is measured, so point it at the one production would use.
    static func run(count: Int, under directory: String?) throws {
        let parent = directory.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        let root = parent.appendingPathComponent("pg-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        var config = DefaultConfig.load(currentDirectory: root)
        config.spool = root + "/spool"
        let daemon = try GatewayDaemon(config: config, schemas: try SchemaLocator.load())
        let inbox = daemon.worker.spool.inbound("helse-bergen")
        let hospital = SampleMessageFactory.Party(name: "Helse Bergen HF", herId: "8150010", unitName: "Kreftavdelingen", unitHerId: "8150011")
        let gateway = SampleMessageFactory.Party(name: "Forløpsgateway Helse Vest", herId: "8150001")
        let kommuner = ["4601", "0301", "5001", "1103", "1508", "5501"]
        for i in 0..<count {
            var m = SampleMessageFactory.Message(msgId: "bench-\(i)", sender: hospital, receiver: gateway,
                                                 patient: .init(fnr: "03851598730", kommune: kommuner[i % kommuner.count]),
                                                 pathwayEvent: "PFH-SP1")
            m.attachmentBytes = i % 10 == 0 ? 40_000 : 0
            try Data(SampleMessageFactory.xml(m).utf8).write(to: URL(fileURLWithPath: "\(inbox)/m\(i).xml"))
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let drained = try daemon.drain()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print(String(format: "drained %d files in %.2f s: %.0f msgs/s (durable: group commit, SQLite FULL)", drained, seconds,
                     Double(drained) / seconds))
    }
}
