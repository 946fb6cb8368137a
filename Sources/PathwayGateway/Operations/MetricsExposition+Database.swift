import Foundation

/// The database-backed families: AppRecs awaited per partner and per receiver, receiver
/// rejections, overdue pathways.
extension MetricsExposition {
    func databaseFamilies(_ database: DatabaseFacts, partners: [String]) -> [Family] {
        let pending = Dictionary(uniqueKeysWithValues: database.pendingAppRecs.map { ($0.partner, $0) })
        let names = partners + pending.keys.filter { !partners.contains($0) }.sorted()
        var families = [
            Family(
                name: "pathway_gateway_apprec_pending_messages", type: "gauge",
                help: "Messages routed to <partner> that its AppRec has not answered yet.",
                samples: names.map { ("", [("partner", $0)], Double(pending[$0]?.count ?? 0)) }),
            Family(
                name: "pathway_gateway_apprec_pending_oldest_age_seconds", type: "gauge",
                help: "Age of the oldest routed message awaiting <partner>'s AppRec (0 when none).",
                samples: names.map {
                    ("", [("partner", $0)], pending[$0].map { max(0, now.timeIntervalSince($0.oldest)) } ?? 0)
                }),
        ]
        families += receiverFamilies(database.awaitingReceivers)
        families.append(
            Family(
                name: "pathway_gateway_receiver_rejections_total", type: "counter",
                help: "Routed messages the receiver answered with AppRec status 2 (Avvist), all time.",
                samples: [("", [], Double(database.receiverRejections))]))
        if let overdue = database.overduePathways {
            families.append(
                Family(
                    name: "pathway_gateway_overdue_pathways", type: "gauge",
                    help:
                        "Patients in a pathway with an SP2/SP3 past its due window, by kommune number (recomputed every few minutes).",
                    samples: overdue.keys.sorted().map { ("", [("kommune", $0)], Double(overdue[$0]!)) }))
        }
        return families
    }

    /// One series per configured receiver (zeros included), none for others: a receiver the
    /// configuration no longer names still counts in the per-partner series, and the number of
    /// series stays bounded by the configuration, whatever the database holds.
    private func receiverFamilies(_ awaiting: [OperationsQueries.AwaitingReceiver]) -> [Family] {
        let byReceiver = Dictionary(uniqueKeysWithValues: awaiting.map { ([$0.partner, $0.herId], $0) })
        func labels(_ receiver: GatewayConfig.Receiver) -> [(String, String)] {
            [("partner", receiver.partner), ("her_id", receiver.herId), ("receiver", receiver.name)]
        }
        return [
            Family(
                name: "pathway_gateway_receiver_apprec_pending_messages", type: "gauge",
                help:
                    "Messages delivered to one receiver (<partner>, HER-id <her_id>, named <receiver>) that its AppRec has "
                    + "not answered yet. One series per configured receiver (contact points and partners' HER-ids): "
                    + "receivers not in the configuration count only in pathway_gateway_apprec_pending_messages.",
                samples: receivers.map { ("", labels($0), Double(byReceiver[[$0.partner, $0.herId]]?.count ?? 0)) }),
            Family(
                name: "pathway_gateway_receiver_apprec_pending_oldest_age_seconds", type: "gauge",
                help:
                    "Age of the oldest message awaiting one receiver's AppRec (0 when none). One series per configured "
                    + "receiver, as pathway_gateway_receiver_apprec_pending_messages.",
                samples: receivers.map { receiver in
                    let oldest = byReceiver[[receiver.partner, receiver.herId]]?.oldest
                    return ("", labels(receiver), oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0)
                }),
        ]
    }
}
