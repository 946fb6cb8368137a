extension GatewayConfig {
    /// A kommune's name for reports: the partner behind its contact point for `pathway` (or any of
    /// its contact points), else "Kommune NNNN". The config is the only name list the gateway has.
    public func kommuneName(_ kommune: String, pathway: String) -> String {
        guard kommune != OverdueCounts.unknownKommune else { return "Ukjent kommune" }
        let point = contactPoint(kommune: kommune, pathway: pathway) ?? contactPoints.first { $0.kommune == kommune }
        return point.flatMap { partner(forInbox: $0.partner)?.name } ?? "Kommune \(kommune)"
    }
}
