import Foundation

/// Everything the daemon needs to know about its partners and where to route: the parsed form of
/// `pathway-gateway.json` (spec §2).
///
/// A value type so a loaded config can be handed to workers without sharing mutable state; build it
/// with `GatewayConfig.parse(_:file:baseDirectory:)` (which reports every problem) or take the
/// embedded default with `DefaultConfig.load(currentDirectory:)`.
public struct GatewayConfig: Sendable, Hashable {
    /// The gateway's own identity: the Receiver of inbound messages and the Sender of its AppRecs.
    public struct Identity: Sendable, Hashable {
        var herId: String
        var name: String
    }

    /// Default worker count: two keeps one slow file from stalling every partner without
    /// overloading a small VM.
    static let defaultWorkers = 2
    /// Default seconds between scans of the inbound directories.
    static let defaultScanIntervalSeconds: Double = 30
    static let defaultBatchSize = 256

    /// Absolute path of the spool root (resolved against the config file's directory).
    public var spool: String
    var gateway: Identity
    public var partners: [Partner]
    public var contactPoints: [ContactPoint]
    /// Retired kommunenummer → current kommunenummer (never chained).
    var kommuneAliases: [String: String]
    /// Size and depth bounds applied to every inbound file.
    public var limits: XMLLimits
    /// Absolute path of a `Schemas/` directory, or nil to let `SchemaLocator` search.
    public var schemas: String?
    /// Threads that read and validate a batch's files in parallel.
    public var workers: Int
    /// Most files committed together (group commit): larger batches share their syncs among more
    /// messages; smaller ones bound memory and how long a file waits behind others.
    public var batchSize: Int
    /// Seconds between scans of the inbound directories (file-system events may wake earlier).
    var scanIntervalSeconds: Double
    /// Metrics, retention and logging (docs/operations.md).
    public var operations: OperationsSettings
    /// Pathway definitions: the bundled ones, with the config's `pathways` entries merged in.
    var pathways: PathwayCatalog = .bundled

    init(
        spool: String, gateway: Identity, partners: [Partner], contactPoints: [ContactPoint],
        kommuneAliases: [String: String] = [:], limits: XMLLimits = .default, schemas: String? = nil,
        workers: Int = GatewayConfig.defaultWorkers, batchSize: Int = GatewayConfig.defaultBatchSize,
        scanIntervalSeconds: Double = GatewayConfig.defaultScanIntervalSeconds,
        operations: OperationsSettings = OperationsSettings()
    ) {
        self.spool = spool
        self.gateway = gateway
        self.partners = partners
        self.contactPoints = contactPoints
        self.kommuneAliases = kommuneAliases
        self.limits = limits
        self.schemas = schemas
        self.workers = workers
        self.batchSize = batchSize
        self.scanIntervalSeconds = scanIntervalSeconds
        self.operations = operations
    }

    // MARK: Lookups the daemon needs

    /// The partner whose inbox is `spool/inbound/<id>/`; nil for a directory no partner owns.
    func partner(forInbox id: String) -> Partner? {
        partners.first { $0.id == id }
    }

    /// The configured partner that may send as `herId` (never the gateway's own partner for
    /// reminders, whose HER-id is the gateway's: a message addressed to the gateway stays the
    /// gateway's).
    func partner(owningHerId herId: String) -> Partner? {
        partners.first { !$0.isInternal && $0.herIds.contains(herId) }
    }

    /// True when `herId` is the gateway's, a partner's or a contact point's, i.e. a Receiver the
    /// gateway can deliver to or answer for.
    func isKnownHerId(_ herId: String) -> Bool {
        herId == gateway.herId || partner(owningHerId: herId) != nil || contactPoints.contains { $0.herId == herId }
    }

    /// The current kommunenummer for `kommune`: retired numbers (e.g. 1507 Ålesund before 2024)
    /// become their successor; anything else is returned unchanged.
    public func resolvedKommune(_ kommune: String) -> String {
        kommuneAliases[kommune] ?? kommune
    }

    /// The contact point for a patient's kommune and a pathway: aliases are applied first, and a
    /// contact point naming the pathway wins over the municipality's `*` contact point.
    func contactPoint(kommune: String, pathway: String) -> ContactPoint? {
        let current = resolvedKommune(kommune)
        let candidates = contactPoints.filter { $0.kommune == current }
        return candidates.first { $0.pathway == pathway }
            ?? candidates.first { $0.pathway == ContactPoint.anyPathway }
    }

    /// Whether any contact point asks for reminders (spec §9).
    var sendsReminders: Bool { contactPoints.contains(where: \.reminders) }

    /// The gateway's own partner (`Partner.internalId`, its HER-id the gateway's), whose inbox the
    /// reminders are written into, so that they go through the pipeline like any message.
    var internalPartner: Partner? { partners.first(where: \.isInternal) }

    /// Adds the gateway's own partner when a contact point has reminders on (strict schemas, no
    /// group: its directories are the gateway's alone); nothing otherwise.
    mutating func addInternalPartnerIfNeeded() {
        guard sendsReminders, internalPartner == nil else { return }
        partners.append(Partner(id: Partner.internalId, name: gateway.name, herIds: [gateway.herId]))
    }

    /// `check-config`'s line about reminders: which contact points get them and where the gateway
    /// writes them; nil when none does.
    public var reminderSummary: String? {
        let points = contactPoints.filter(\.reminders)
        guard !points.isEmpty else { return nil }
        let names = points.map { "\($0.name) (\($0.kommune), \($0.pathway))" }.joined(separator: "; ")
        return "reminders (spec §9): \(names); written by the gateway into inbound/\(Partner.internalId)/"
    }

    /// The distinct kommunenummer that have at least one contact point.
    public var kommuner: Set<String> { Set(contactPoints.map(\.kommune)) }
}
