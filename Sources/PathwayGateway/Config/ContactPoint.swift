/// The unit in a municipality that receives a pathway's messages for its residents.
///
/// Each municipality decides which unit that is (koordinerende enhet, tjenestekontor,
/// kreftkoordinator), so routing is a lookup by (kommune, pathway) rather than a fixed role. A contact
/// point with pathway `*` serves every pathway the municipality has not named specifically.
public struct ContactPoint: Sendable, Hashable {
    /// The pathway value that matches any pathway.
    static let anyPathway = "*"

    /// Four-digit kommunenummer (current, after aliases).
    var kommune: String
    /// Pathway id such as `pakkeforlop-hjem`, or `*`.
    var pathway: String
    /// Id of the partner whose outbox receives the routed messages.
    var partner: String
    /// HER-id put innermost in the routed message's Receiver.
    var herId: String
    /// Human-readable name of the unit, used in the Receiver organisation and in reports.
    var name: String
    /// Whether the gateway sends this unit a reminder when a pathway window opens (spec §9).
    var reminders: Bool = false
}
