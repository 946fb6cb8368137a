/// Turns the bytes of one inbound file into a validated message or a rejection with its AppRec
/// error code — the checks of spec §4 steps 1, 3, 4 and 5, in that order. Pure: no I/O, no clock,
/// safe to share between workers.
public struct MessageValidator: Sendable {
    let schemas: SchemaSet
    public let limits: XMLLimits

    public init(schemas: SchemaSet, limits: XMLLimits = .default) {
        self.schemas = schemas
        self.limits = limits
    }

    /// How many schema errors an AppRec's error text quotes.
    static let quotedErrors = 3

    public func validate(_ bytes: [UInt8], fileName: String? = nil, policy: SchemaPolicy = .strict)
        -> Result<ValidatedMessage, Rejection>
    {
        Result { () throws(Rejection) in try validateThrowing(bytes, fileName: fileName, policy: policy) }
    }

    private func validateThrowing(_ bytes: [UInt8], fileName: String?, policy: SchemaPolicy)
        throws(Rejection) -> ValidatedMessage
    {
        // 1. Well-formed, bounded, no DOCTYPE.
        var document: XMLDocumentHandle
        do {
            document = try SafeXMLParser.parse(bytes, url: fileName, limits: limits)
        } catch {
            let subject: Rejection.Subject = HeaderSalvage(scanning: bytes).map { .salvaged($0) } ?? .unknown
            throw Rejection(.notWellFormed, error.description, line: error.line, subject: subject)
        }
        // 3. Supported root, version, type and payload.
        try SemanticRules.checkSupported(document.root)
        // 4. Schema, with the known header deviations repaired for lenient partners.
        var warnings: [String] = []
        var errors = schemas.validate(document)
        if !errors.isEmpty, policy == .lenient {
            let repaired = document.copy()
            let repairs = LenientRepair.repair(repaired)
            if !repairs.isEmpty {
                let remaining = schemas.validate(repaired)
                if remaining.isEmpty {
                    document = repaired
                    warnings = repairs
                }
                errors = remaining
            }
        }
        let root = document.root
        if !errors.isEmpty {
            let subject: Rejection.Subject =
                root.name == "MsgHead" ? .msgHead(MsgHead(root)) : (AppRec(root).map { .appRec($0) } ?? .unknown)
            let text = errors.prefix(Self.quotedErrors).map { "line \($0.line): \($0.message)" }.joined(
                separator: " | ")
            throw Rejection(.schemaInvalid, text, line: errors.first?.line, subject: subject)
        }
        // 5. Semantics.
        if let appRec = AppRec(root) {
            try SemanticRules.check(appRec)
            return ValidatedMessage(content: .appRec(appRec), document: document, warnings: warnings)
        }
        let head = MsgHead(root)
        try SemanticRules.check(head)
        return ValidatedMessage(content: .business(head), document: document, warnings: warnings)
    }
}
