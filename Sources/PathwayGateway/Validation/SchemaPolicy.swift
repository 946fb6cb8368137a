/// How a partner's schema deviations are treated.
///
/// Real senders emit headers that fail the official schema in a few well-known ways (see
/// `LenientRepair`). `strict` rejects them with T02 as the standard says; `lenient` repairs exactly
/// those deviations, validates the repaired copy strictly, and records each repair as a warning.
public enum SchemaPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    case strict
    case lenient
}
