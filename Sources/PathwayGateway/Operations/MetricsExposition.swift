import Foundation

/// The text of `pathway_gateway.prom`, in the Prometheus text exposition format 0.0.4 that
/// node_exporter's textfile collector reads: per family one `# HELP` and one `# TYPE` line, then
/// `name{label="value"} number` samples. No timestamps on samples (the collector rejects them).
/// Every configured partner gets every per-partner series, zero included, so alert expressions never
/// see a series appear out of nothing.
struct MetricsExposition: Sendable {
    /// The database half of the gauges; nil when the database could not be read this round (the
    /// file then says so with `pathway_gateway_database_readable 0` instead of stale numbers).
    struct DatabaseFacts: Sendable, Equatable {
        var pendingAppRecs: [OperationsQueries.PendingAppRecs]
        /// The same messages per receiver (partner and HER-id); written for configured receivers only.
        var awaitingReceivers: [OperationsQueries.AwaitingReceiver]
        var receiverRejections: Int
        /// Pathways with an SP2/SP3 past its window, by kommune number (every configured kommune,
        /// zeros included; "unknown" when an episode has none); nil when not computed.
        var overduePathways: [String: Int]?
        init(
            pendingAppRecs: [OperationsQueries.PendingAppRecs],
            awaitingReceivers: [OperationsQueries.AwaitingReceiver] = [],
            receiverRejections: Int, overduePathways: [String: Int]? = nil
        ) {
            self.pendingAppRecs = pendingAppRecs
            self.awaitingReceivers = awaitingReceivers
            self.receiverRejections = receiverRejections
            self.overduePathways = overduePathways
        }

        /// Both views from one query (per receiver; per partner summed from it).
        init(
            awaitingReceivers: [OperationsQueries.AwaitingReceiver], receiverRejections: Int,
            overduePathways: [String: Int]?
        ) {
            self.init(
                pendingAppRecs: OperationsQueries.byPartner(awaitingReceivers), awaitingReceivers: awaitingReceivers,
                receiverRejections: receiverRejections, overduePathways: overduePathways)
        }
    }

    var counters: GatewayMetrics.Snapshot
    var survey: SpoolSurvey
    var database: DatabaseFacts?
    var now: Date
    /// The configured receivers (`GatewayConfig.configuredReceivers`): the per-receiver series are
    /// written for these and no others, so their number is bounded by the configuration.
    var receivers: [GatewayConfig.Receiver]

    init(
        counters: GatewayMetrics.Snapshot, survey: SpoolSurvey, database: DatabaseFacts?, now: Date,
        receivers: [GatewayConfig.Receiver] = []
    ) {
        self.counters = counters
        self.survey = survey
        self.database = database
        self.now = now
        self.receivers = receivers
    }

    struct Family {
        var name: String, type: String, help: String
        var samples: [(suffix: String, labels: [(String, String)], value: Double)] = []
    }

    var text: String {
        let partners = survey.inboxes.map(\.partner)
        var families: [Family] = []
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(String, [(String, String)], Double)]) {
            families.append(Family(name: name, type: type, help: help, samples: samples.map { ($0.0, $0.1, $0.2) }))
        }
        func perPartner(_ value: (SpoolSurvey.Inbox) -> Double) -> [(String, [(String, String)], Double)] {
            survey.inboxes.map { ("", [("partner", $0.partner)], value($0)) }
        }
        family(
            "pathway_gateway_messages_total", "counter",
            "Inbound files carried to an outcome since the daemon started, by inbox partner and outcome.",
            counters.messageKeys(seeding: partners).map {
                ("", [("partner", $0.partner), ("outcome", $0.outcome)], Double(counters.messages[$0] ?? 0))
            })
        var latency: [(String, [(String, String)], Double)] = zip(
            GatewayMetrics.latencyBuckets, counters.latencyBucketCounts
        ).map {
            ("_bucket", [("le", Self.number($0.0))], Double($0.1))
        }
        latency.append(("_bucket", [("le", "+Inf")], Double(counters.latencyBucketCounts.last ?? 0)))
        latency.append(("_sum", [], counters.latencySum))
        latency.append(("_count", [], Double(counters.latencyCount)))
        family(
            "pathway_gateway_processing_seconds", "histogram",
            "Seconds from claiming an inbound file to its outcome being durable (outputs written, original moved).",
            latency)
        family(
            "pathway_gateway_inbound_files", "gauge", "Files waiting in inbound/<partner>/.",
            perPartner { Double($0.waiting) })
        family(
            "pathway_gateway_inbound_oldest_file_age_seconds", "gauge",
            "Age of the oldest file waiting in inbound/<partner>/ (0 when none waits).",
            perPartner { $0.oldestAgeSeconds ?? 0 })
        family(
            "pathway_gateway_processing_files", "gauge", "Files claimed and being processed.",
            perPartner { Double($0.processing) })
        family(
            "pathway_gateway_outbound_files", "gauge", "Files in outbound/<partner>/ not yet picked up by the partner.",
            perPartner { Double($0.outbound) })
        family(
            "pathway_gateway_quarantined_files", "gauge",
            "Originals in quarantine/<partner>/ (reason files not counted).",
            perPartner { Double($0.quarantined) })
        family(
            "pathway_gateway_intake_problems", "gauge",
            "Files left waiting in inbound/<partner>/ by an operator problem, by kind (inbox-unlistable: 1 while the inbox "
                + "cannot be listed; file-unreadable, claim-failed, unconfigured-inbox: files). 0 when all is well.",
            intakeSamples(partners: partners))
        if let database { families += databaseFamilies(database, partners: partners) }
        family(
            "pathway_gateway_database_readable", "gauge", "1 when the state database answered this round.",
            [("", [], database == nil ? 0 : 1)])
        family(
            "pathway_gateway_last_success_timestamp_seconds", "gauge",
            "Unix time the last inbound file was carried to its outcome (0 before the first).",
            [("", [], counters.lastSuccess?.timeIntervalSince1970 ?? 0)])
        family(
            "pathway_gateway_start_time_seconds", "gauge", "Unix time the daemon started.",
            [("", [], counters.startTime.timeIntervalSince1970)])
        family(
            "pathway_gateway_build_info", "gauge", "Always 1; the version label says which build runs.",
            [("", [("version", BuildInfo.version)], 1)])
        family(
            "pathway_gateway_metrics_written_timestamp_seconds", "gauge",
            "Unix time this file was written; stale means the daemon is stopped or stuck.",
            [("", [], now.timeIntervalSince1970)])
        return families.map(Self.render).joined()
    }

    /// Every configured partner with every kind (zeros included), plus unconfigured inboxes.
    private func intakeSamples(partners: [String]) -> [(String, [(String, String)], Double)] {
        let kinds: [IntakeHealth.Problem.Kind] = [.inboxUnlistable, .fileUnreadable, .claimFailed, .unconfiguredInbox]
        let names = partners + Set(survey.intakeProblems.map(\.partner)).subtracting(partners).sorted()
        return names.flatMap { partner in
            kinds.map { kind in
                let matching = survey.intakeProblems.filter { $0.partner == partner && $0.kind == kind }
                let value = matching.reduce(0) { $0 + max(1, $1.files) }
                return ("", [("partner", partner), ("kind", kind.rawValue)], Double(value))
            }
        }
    }

    private static func render(_ family: Family) -> String {
        var out = "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
        for sample in family.samples {
            let labels =
                sample.labels.isEmpty
                ? ""
                : "{" + sample.labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
            out += "\(family.name)\(sample.suffix)\(labels) \(number(sample.value))\n"
        }
        return out
    }

    /// Label values escape backslash, double quote and newline (exposition format).
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Integers without a fraction; other values in Swift's shortest round-trip form, which
    /// Prometheus's Go float parser reads (`0.005`, `1.5e-05`).
    static func number(_ value: Double) -> String {
        if value.rounded() == value && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
