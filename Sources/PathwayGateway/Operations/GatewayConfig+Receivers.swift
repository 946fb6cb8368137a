/// The receivers a delivered message can await an AppRec from, as the configuration knows them:
/// contact points (hospital → municipality) and partners' own HER-ids (replies to a hospital, or a
/// message addressed to a partner's HER-id). Used for names in `status` and for the per-receiver
/// metric series, whose number this bounds.
extension GatewayConfig {
    struct Receiver: Sendable, Hashable {
        var partner: String
        var herId: String
        var name: String
    }

    /// The receiver's name: the contact point's with that partner and HER-id, else the partner's;
    /// nil when the configuration knows neither (e.g. a receiver since removed from it).
    func receiverName(partner: String, herId: String) -> String? {
        contactPoints.first { $0.partner == partner && $0.herId == herId }?.name
            ?? self.partner(forInbox: partner)?.name
    }

    /// Every (partner, HER-id) pair a message can be delivered to, once each, by partner then HER-id:
    /// every contact point, and every HER-id of every partner.
    var configuredReceivers: [Receiver] {
        var pairs = Set<[String]>()
        for point in contactPoints { pairs.insert([point.partner, point.herId]) }
        for partner in partners where !partner.isInternal {
            for herId in partner.herIds { pairs.insert([partner.id, herId]) }
        }
        return pairs.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }.map {
            Receiver(partner: $0[0], herId: $0[1], name: receiverName(partner: $0[0], herId: $0[1]) ?? $0[0])
        }
    }
}
