/// Where a message goes on to: a partner's outbound directory, addressed to one HER-id inside it.
public struct RouteTarget: Sendable, Hashable {
    /// The partner whose `outbound/<id>/` receives the file.
    public var partnerId: String
    /// The innermost HER-id of the routed message's Receiver.
    public var herId: String
    public var name: String
    /// The partner organisation around the contact point, when the contact point is a unit of it.
    public var parent: OutboundMessageBuilder.Party?
    /// Why this target: "contact point for kommune 4601, pathway pakkeforlop-hjem" or "Receiver".
    public var reason: String

    public var contactPoint: OutboundMessageBuilder.ContactPoint {
        OutboundMessageBuilder.ContactPoint(unit: .init(name: name, herId: herId), parent: parent)
    }
}
