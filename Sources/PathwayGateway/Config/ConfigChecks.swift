/// Cross-reference checks over the parts of a config that parsed: the mistakes that make routing
/// ambiguous or impossible even though every value has the right shape.
enum ConfigChecks {
    static func run(_ draft: ConfigParser.Draft, reader: inout ConfigReader) {
        checkPartners(draft, reader: &reader)
        checkContactPoints(draft, reader: &reader)
        checkAliases(draft.aliases, reader: &reader)
    }

    /// Duplicate ids would share an inbox; a HER-id owned twice makes "sender not P's" undecidable.
    private static func checkPartners(_ draft: ConfigParser.Draft, reader: inout ConfigReader) {
        var idOwner: [String: String] = [:]
        var herIdOwner: [String: (path: String, partner: String)] = [:]
        for (path, partner) in draft.partners {
            if !partner.id.isEmpty {
                if let first = idOwner[partner.id] {
                    reader.report("\(path).id", "duplicate partner id \"\(partner.id)\" (first at \(first))")
                } else {
                    idOwner[partner.id] = path
                }
            }
            if case let .name(name)? = partner.group, partner.group?.resolve() == nil {
                reader.report(
                    "\(path).group",
                    "unknown group \"\(name)\" (no such group on this host; create it or give its number)")
            }
            for (index, herId) in partner.herIds.enumerated() {
                let here = ConfigReader.path("\(path).herIds", index)
                if herId == draft.gatewayHerId {
                    reader.report(here, "HER-id \(herId) is the gateway's own ($.gateway.herId)")
                } else if let first = herIdOwner[herId] {
                    let owner = first.partner == partner.id ? "this partner" : "partner \"\(first.partner)\""
                    reader.report(here, "HER-id \(herId) is already claimed by \(owner) (at \(first.path))")
                } else {
                    herIdOwner[herId] = (here, partner.id)
                }
            }
        }
    }

    private static func checkContactPoints(_ draft: ConfigParser.Draft, reader: inout ConfigReader) {
        var partners: [String: Partner] = [:]
        for (_, partner) in draft.partners where !partner.id.isEmpty && partners[partner.id] == nil {
            partners[partner.id] = partner
        }
        var seen: [String: String] = [:]
        for (path, point) in draft.contactPoints {
            if !point.partner.isEmpty {
                if let partner = partners[point.partner] {
                    if !point.herId.isEmpty, !partner.herIds.isEmpty, !partner.herIds.contains(point.herId) {
                        reader.report(
                            "\(path).herId",
                            "HER-id \(point.herId) is not one of partner \"\(partner.id)\"'s herIds "
                                + "(\(partner.herIds.joined(separator: ", ")))")
                    }
                } else {
                    reader.report("\(path).partner", "unknown partner \"\(point.partner)\"")
                }
            }
            guard !point.kommune.isEmpty else { continue }
            if let current = draft.aliases[point.kommune] {
                reader.report(
                    "\(path).kommune",
                    "kommune \(point.kommune) is retired (aliased to \(current)); "
                        + "this contact point would never be used")
            }
            guard !point.pathway.isEmpty else { continue }
            let key = point.kommune + " " + point.pathway
            if let first = seen[key] {
                reader.report(
                    path,
                    "duplicate contact point for kommune \(point.kommune), pathway \(point.pathway) "
                        + "(first at \(first))")
            } else {
                seen[key] = path
            }
        }
    }

    /// Aliases are applied once, so a target must be a current number: a chain (a→b, b→c) or a loop
    /// would route to a retired kommune.
    private static func checkAliases(_ aliases: [String: String], reader: inout ConfigReader) {
        for source in aliases.keys.sorted() {
            let target = aliases[source]!
            let path = ConfigReader.path("$.kommuneAliases", source)
            if target == source {
                reader.report(path, "alias \(source) → \(target) points at itself")
            } else if let next = aliases[target] {
                let kind = next == source ? "loops back" : "chains on"
                reader.report(
                    path,
                    "alias \(source) → \(target) \(kind) (\(target) → \(next)); "
                        + "aliases must point at current kommunenummer")
            }
        }
    }
}
