/// Where a message goes on to: a partner's outbound directory, addressed to one HER-id inside it.
struct RouteTarget: Sendable, Hashable {
    /// The partner whose `outbound/<id>/` receives the file.
    var partnerId: String
    /// The innermost HER-id of the routed message's Receiver.
    var herId: String
    var name: String
    /// The partner organisation around the contact point, when the contact point is a unit of it.
    var parent: OutboundMessageBuilder.Party?
    /// Why this target: "contact point for kommune 4601, pathway pakkeforlop-hjem", "Receiver" or
    /// "reply to …".
    var reason: String

    /// The whole Receiver when it is not a contact point: a reply goes back to the original
    /// message's Sender organisations (outermost first).
    var chain: [OutboundMessageBuilder.Party]? = nil

    var contactPoint: OutboundMessageBuilder.ContactPoint {
        chain.map(OutboundMessageBuilder.ContactPoint.init(chain:))
            ?? OutboundMessageBuilder.ContactPoint(unit: .init(name: name, herId: herId), parent: parent)
    }
}
