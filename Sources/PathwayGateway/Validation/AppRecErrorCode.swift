/// The AppRec error codes (code list 8221) the gateway answers with.
public enum AppRecErrorCode: String, Sendable, Hashable, Codable, CaseIterable {
    case notWellFormed = "T01"
    case schemaInvalid = "T02"
    case unsupportedFormat = "T10"
    case invalidMessageId = "E10"
    case receiverNotFound = "E21"
    case patientIdMissing = "E30"
    case patientIdWrong = "E31"
    case patientNameMissing = "E32"
    case other = "X99"

    /// The 8221 display name, used as DN unless a more specific text is given.
    var displayName: String {
        switch self {
        case .notWellFormed: "Ikke XML / ikke 'well formed' / uleselig"
        case .schemaInvalid: "XML validerer ikke"
        case .unsupportedFormat: "Støtter ikke meldingsformatet"
        case .invalidMessageId: "Ugyldig meldingsidentifikator"
        case .receiverNotFound: "Mottaker finnes ikke"
        case .patientIdMissing: "Pasientens fødselsnummer mangler"
        case .patientIdWrong: "Pasientens fødselsnummer er feil"
        case .patientNameMissing: "Pasientens navn mangler"
        case .other: "Annen feil"
        }
    }
}
