/// The optional operations keys of `pathway-gateway.json` (`metrics`, `retention`, `log`), each with
/// a default so that a config without them behaves as documented in docs/operations.md.
public struct OperationsSettings: Sendable, Hashable {
    /// The Prometheus textfile (node_exporter textfile collector) written by `run`.
    struct Metrics: Sendable, Hashable {
        /// Default seconds between rewrites: node_exporter is usually scraped every 15 s.
        static let defaultIntervalSeconds: Double = 10
        /// On by default: the file is small, written without fsync, and lets monitoring start
        /// without a config change; `"enabled": false` turns it off.
        var enabled: Bool
        /// Absolute directory for `pathway_gateway.prom`; nil means `<spool>/metrics`.
        var directory: String?
        var intervalSeconds: Double
        /// The collector's group (`metrics.group`): the directory becomes 0750 and the file 0640 in
        /// that group. nil: the directory as it is (created 0755 under the umask), the file 0644.
        var group: MetricsGroup?

        init(
            enabled: Bool = true, directory: String? = nil, intervalSeconds: Double = Metrics.defaultIntervalSeconds,
            group: MetricsGroup? = nil
        ) {
            self.enabled = enabled
            self.directory = directory
            self.intervalSeconds = intervalSeconds
            self.group = group
        }
    }

    /// How long originals are kept. Off (nil: keep forever) by default, as in Mirth's data pruner:
    /// deleting records is a decision for the data protection officer, not a default.
    public struct Retention: Sendable, Hashable {
        /// Days an archived original (and the database copy of its routed message) is kept.
        var archiveDays: Int?
        /// Days a quarantined original and its reason file are kept.
        var quarantineDays: Int?

        init(archiveDays: Int? = nil, quarantineDays: Int? = nil) {
            self.archiveDays = archiveDays
            self.quarantineDays = quarantineDays
        }

        var isEnabled: Bool { archiveDays != nil || quarantineDays != nil }
    }

    /// The stderr log; `run --log-format/--log-level` override these.
    public struct Log: Sendable, Hashable {
        public var format: GatewayLogger.Format
        public var level: GatewayLogger.Level

        public init(format: GatewayLogger.Format = .logfmt, level: GatewayLogger.Level = .info) {
            self.format = format
            self.level = level
        }
    }

    var metrics: Metrics
    var retention: Retention
    public var log: Log

    init(metrics: Metrics = Metrics(), retention: Retention = Retention(), log: Log = Log()) {
        self.metrics = metrics
        self.retention = retention
        self.log = log
    }
}
