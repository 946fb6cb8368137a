/// Where a message goes on to: a partner's outbound directory, addressed to one HER-id inside it.
struct RouteTarget: Sendable, Hashable {
    /// The partner whose `outbound/<id>/` receives the file.
    var partnerId: String
    /// The innermost HER-id of the routed message's Receiver.
    var herId: String
    var name: String
    /// The partner organisation around the contact point, when the contact point is a unit of it.
    var parent: OutboundMessageBuilder.Party?
    /// Why this target: "contact point for kommune 4601, pathway pakkeforlop-hjem" or "Receiver".
    var reason: String

    var contactPoint: OutboundMessageBuilder.ContactPoint {
        OutboundMessageBuilder.ContactPoint(unit: .init(name: name, herId: herId), parent: parent)
    }
}
