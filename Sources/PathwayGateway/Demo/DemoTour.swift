import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `pathway-gateway demo`: a newcomer's tour. Sets up a spool with the embedded sample config,
/// drops the sample messages as a hospital would, runs the real daemon pipeline in-process, then
/// lets partners do what they do next (resend, spoof, answer with AppRecs, reply, take files)
/// round by round (spec §7: a conversation); the narration says what happened to each file and
/// which files to open.
///
/// In-process rather than a spawned `run --once`: the same `GatewayDaemon` code, without needing to
/// find the binary, and the tour can look at the database between rounds to build the AppRecs a
/// municipality would send back.
public struct DemoTour {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case directoryNotEmpty(String)
        case cannotCreate(String, errno: Int32)
        case missingStep(String)

        public var description: String {
            switch self {
            case let .directoryNotEmpty(dir): "\(dir) is not empty; the demo needs a new or empty directory"
            case let .cannotCreate(dir, code): "cannot create \(dir): \(String(cString: strerror(code)))"
            case let .missingStep(what): "the demo could not find \(what)"
            }
        }
    }

    /// One file a partner drops, and why.
    struct Drop: Sendable {
        var inbox: String
        var fileName: String
        var story: String
        var bytes: [UInt8]
    }

    let directory: String
    let config: GatewayConfig
    let daemon: GatewayDaemon
    let metrics = GatewayMetrics()

    static let hospital = "helse-bergen"
    static let municipality = "bergen-kommune"

    /// Prepares `directory` (created if absent; must be empty) with `pathway-gateway.json` (the
    /// embedded default) and its spool; nil `directory` makes a fresh temporary one.
    public init(directory: String?, schemas: SchemaSet) throws {
        let dir = try Self.prepare(directory)
        self.directory = dir
        let configPath = "\(dir)/pathway-gateway.json"
        guard FileManager.default.createFile(atPath: configPath, contents: Data(DefaultConfig.json.utf8)) else {
            throw Failure.cannotCreate(configPath, errno: errno)
        }
        config = try ConfigLoader.load(.commandLine(configPath))
        daemon = try GatewayDaemon(config: config, schemas: schemas, metrics: metrics)
    }

    var configPath: String { "\(directory)/pathway-gateway.json" }

    /// Runs both rounds and returns the narration.
    public func run() throws -> String {
        let first = SampleSet.all.map {
            Drop(inbox: Self.hospital, fileName: $0.fileName, story: $0.purpose, bytes: $0.bytes)
        }
        try process(first)
        let second = try partnersAnswer()
        try process(second)
        let third = try conversationGoesOn()
        try process(third)
        let fourth = [try hospitalAnswersTheReply()]
        try process(fourth)
        OperationsService(config: config, metrics: metrics, logger: GatewayLogger(level: .warn)).writeMetrics()
        let queries = try OperationsQueries(databasePath: Spool(root: config.spool).database)
        return try narrate(
            rounds: [
                ("Round 1: Helse Bergen sends the eight sample messages (samples/messages/)", first),
                ("Round 2: what partners do next", second),
                ("Round 3: the conversation goes on", third),
                ("Round 4: Helse Bergen answers the reply", fourth),
            ], queries: queries)
    }

    private func process(_ drops: [Drop]) throws {
        for drop in drops { try Self.deliver(drop, into: Spool(root: config.spool).inbound(drop.inbox)) }
        _ = try daemon.drain()
    }

    /// A partner's delivery: a temporary name, then a rename to `*.xml` (spec §3).
    static func deliver(_ drop: Drop, into inbox: String) throws {
        let temp = "\(inbox)/.\(drop.fileName).tmp"
        guard FileManager.default.createFile(atPath: temp, contents: Data(drop.bytes)),
            rename(temp, "\(inbox)/\(drop.fileName)") == 0
        else { throw Failure.cannotCreate("\(inbox)/\(drop.fileName)", errno: errno) }
    }

    /// The second round: a resend, a changed resend, a spoofed sender, and Bergen kommune's two
    /// AppRecs answering the routed copies of samples 01 (OK) and 02 (Avvist).
    private func partnersAnswer() throws -> [Drop] {
        let samples = SampleSet.all
        let changed = samples[0].bytes + Array("\n<!-- edited after sending -->\n".utf8)
        return [
            Drop(
                inbox: Self.hospital, fileName: "01-resent.xml", story: "sample 01 sent again, byte for byte",
                bytes: samples[0].bytes),
            Drop(
                inbox: Self.hospital, fileName: "01-changed.xml",
                story: "sample 01's MsgId reused for different content",
                bytes: changed),
            Drop(
                inbox: "haraldsplass", fileName: "02-wrong-inbox.xml",
                story: "Helse Bergen's message dropped into Haraldsplass's inbox (a spoofed sender)",
                bytes: samples[1].bytes),
            Drop(
                inbox: Self.municipality, fileName: "apprec-ok.xml",
                story: "Bergen kommune's AppRec OK for the routed sample 01",
                bytes: try receiverAppRec(answering: samples[0].fileName, id: "bergen-kvittering-01", status: .ok)),
            Drop(
                inbox: Self.municipality, fileName: "apprec-avvist.xml",
                story: "Bergen kommune's AppRec Avvist for the routed sample 02",
                bytes: try receiverAppRec(
                    answering: samples[1].fileName, id: "bergen-kvittering-02", status: .rejected)),
        ]
    }

    /// The AppRec the receiving system would send for the delivered copy of `inbound/<partner>/<original>`.
    func receiverAppRec(
        answering original: String, from partner: String = Self.hospital, id: String, status: AppRec.Status
    ) throws -> [UInt8] {
        let copy = try deliveredCopy(of: original, from: partner)
        let errors =
            status == .rejected
            ? [AppRec.ErrorEntry(code: "X99", description: "Pasienten er ikke bosatt i kommunen")] : []
        return AppRecEncoder.encode(
            AppRec(
                version: .v1_1, genDate: "2026-11-23T12:00:00", id: id,
                sender: AppRecParty(copy.receiver), receiver: AppRecParty(copy.sender), status: status,
                errors: errors,
                originalMsgId: .init(msgType: copy.type, issueDate: copy.genDate, id: copy.msgId)))
    }

    /// The copy of `inbound/<partner>/<original>` the gateway delivered, as its receiver reads it.
    func deliveredCopy(of original: String, from partner: String = Self.hospital) throws -> MsgHead {
        let path = try deliveredPath(of: original, from: partner)
        return MsgHead(try SafeXMLParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path)))).root)
    }

    func deliveredPath(of original: String, from partner: String = Self.hospital) throws -> String {
        let queries = try OperationsQueries(databasePath: Spool(root: config.spool).database)
        guard let routed = try queries.trail(partner: partner, fileName: original)?.routed.first?.path else {
            throw Failure.missingStep("the delivered copy of \(original)")
        }
        return Spool(root: config.spool).absolute(routed)
    }

    private static func prepare(_ directory: String?) throws -> String {
        guard let directory else {
            var template = Array("\(NSTemporaryDirectory())/pathway-gateway-demo-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else {
                throw Failure.cannotCreate("a temporary directory", errno: errno)
            }
            return String(cString: made)
        }
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: absolute) {
            guard entries.isEmpty else { throw Failure.directoryNotEmpty(absolute) }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true)
            } catch {
                throw Failure.cannotCreate(absolute, errno: EIO)
            }
        }
        return absolute
    }
}
