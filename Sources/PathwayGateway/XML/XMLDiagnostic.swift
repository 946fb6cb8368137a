internal import CLibXML2

/// One message from libxml2 (parser, namespace or schema validity), copied out of libxml2's memory.
public struct XMLDiagnostic: Sendable, Hashable, CustomStringConvertible {
    enum Severity: String, Sendable, Hashable { case warning, error, fatal }

    var severity: Severity
    /// 1-based line; 0 when libxml2 did not know it.
    var line: Int
    /// Parser errors only; schema validity errors carry 0.
    var column: Int
    var message: String

    init(severity: Severity, line: Int, column: Int = 0, message: String) {
        self.severity = severity
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        let place = line > 0 ? (column > 0 ? "\(line):\(column): " : "\(line): ") : ""
        return "\(place)\(severity.rawValue): \(message)"
    }
}

extension XMLDiagnostic {
    init(_ error: xmlError) {
        let severity: Severity =
            switch error.level {
            case XML_ERR_WARNING: .warning
            case XML_ERR_FATAL: .fatal
            default: .error
            }
        var message = error.message.map { String(cString: $0) } ?? "unknown libxml2 error"
        while message.last?.isWhitespace == true { message.removeLast() }
        self.init(severity: severity, line: Int(error.line), column: Int(error.int2), message: message)
    }
}

/// Collects diagnostics for one synchronous libxml2 call; never shared between threads.
final class DiagnosticCollector {
    var diagnostics: [XMLDiagnostic] = []
    var sawDoctype = false
    var maxDepth: Int32 = 0
    var depthExceeded = false
    var hasErrors: Bool { diagnostics.contains { $0.severity != .warning } }
}

/// Structured-error callback for schema contexts; the collector arrives as the user pointer.
let collectStructuredError: xmlStructuredErrorFunc = { userData, error in
    guard let userData, let error else { return }
    Unmanaged<DiagnosticCollector>.fromOpaque(userData).takeUnretainedValue()
        .diagnostics.append(XMLDiagnostic(error.pointee))
}
