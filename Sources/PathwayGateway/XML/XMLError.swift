/// Why a byte sequence could not become a usable XML tree, or why a schema could not be built.
public enum XMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Larger than `XMLLimits.maxBytes` (or than libxml2's `int` length).
    case tooLarge(byteCount: Int, limit: Int)
    /// Nested deeper than `XMLLimits.maxDepth`.
    case tooDeep(limit: Int)
    /// An element with more than `XMLLimits.maxAttributes` attributes (found before parsing).
    case tooManyAttributes(limit: Int, line: Int)
    /// Any `<!DOCTYPE`: refused before the internal subset is read (no entities, no XXE).
    case doctypeForbidden
    /// Not XML, not well-formed, wrong encoding, or an undeclared namespace prefix.
    case malformed([XMLDiagnostic])
    /// A schema set failed to compile, or compiled with warnings (e.g. an import not found).
    case invalidSchema(path: String, [XMLDiagnostic])
    case internalFailure(String)

    public var description: String {
        switch self {
        case let .tooLarge(count, limit): "file is \(count) bytes, over the limit of \(limit) bytes"
        case let .tooDeep(limit): "elements nested deeper than the limit of \(limit)"
        case let .tooManyAttributes(limit, _): "an element has more than \(limit) attributes"
        case .doctypeForbidden: "DOCTYPE declarations are not accepted (no DTDs, no entities)"
        case let .malformed(diagnostics):
            "not well-formed XML: "
                + (diagnostics.first(where: { $0.severity != .warning })?.description ?? "unreadable")
        case let .invalidSchema(path, diagnostics):
            "schema \(path) did not compile cleanly: " + diagnostics.map(\.description).joined(separator: "; ")
        case let .internalFailure(text): "internal XML failure: \(text)"
        }
    }

    /// The line the error points at, when known.
    var line: Int? {
        switch self {
        case let .malformed(diagnostics): diagnostics.first(where: { $0.severity != .warning && $0.line > 0 })?.line
        case let .tooManyAttributes(_, line): line
        default: nil
        }
    }
}
