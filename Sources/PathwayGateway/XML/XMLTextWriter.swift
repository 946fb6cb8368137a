/// A minimal indenting writer for the receipt; attributes with a nil value are skipped. It writes
/// UTF-8 bytes: the receipt is written for every message.
struct XMLTextWriter {
    private(set) var bytes: [UInt8] = []
    private var depth = 0

    init() { bytes.reserveCapacity(2048) }

    mutating func raw(_ string: String) { bytes += string.utf8 }

    mutating func open(_ name: String, _ attributes: [(String, String?)] = []) {
        start(name, attributes)
        bytes += ">\n".utf8
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        indent()
        bytes += "</".utf8
        bytes += name.utf8
        bytes += ">\n".utf8
    }

    mutating func element(_ name: String, _ value: String) {
        indent()
        bytes.append(UInt8(ascii: "<"))
        bytes += name.utf8
        bytes.append(UInt8(ascii: ">"))
        append(value, quoting: false)
        bytes += "</".utf8
        bytes += name.utf8
        bytes += ">\n".utf8
    }

    mutating func empty(_ name: String, _ attributes: [(String, String?)]) {
        start(name, attributes)
        bytes += "/>\n".utf8
    }

    private mutating func start(_ name: String, _ attributes: [(String, String?)]) {
        indent()
        bytes.append(UInt8(ascii: "<"))
        bytes += name.utf8
        for (key, value) in attributes {
            guard let value else { continue }
            bytes.append(UInt8(ascii: " "))
            bytes += key.utf8
            bytes += "=\"".utf8
            append(value, quoting: true)
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private mutating func append(_ value: String, quoting: Bool) {
        bytes += (quoting ? value.xmlEscapedAttribute : value.xmlEscapedText).utf8
    }

    private mutating func indent() {
        for _ in 0..<depth { bytes += "    ".utf8 }
    }
}

extension String {
    /// The string with every character XML 1.0 cannot represent (C0 controls other than tab, line
    /// feed and carriage return; U+FFFE; U+FFFF) replaced by U+FFFD. Escaping cannot help with
    /// these: even `&#1;` is not well-formed XML 1.0.
    var xmlCharactersOnly: String {
        guard unicodeScalars.contains(where: { !$0.isXMLCharacter }) else { return self }
        var scalars = String.UnicodeScalarView()
        for scalar in unicodeScalars { scalars.append(scalar.isXMLCharacter ? scalar : "\u{FFFD}") }
        return String(scalars)
    }

    /// Escaped for element content; `\r` as a reference, because a literal one would be
    /// normalised to `\n` by every reader.
    var xmlEscapedText: String { xmlEscaped(quoting: false) }

    /// Escaped for a double-quoted attribute; tab, line feed and carriage return as references,
    /// because attribute-value normalisation would otherwise turn them into spaces.
    var xmlEscapedAttribute: String { xmlEscaped(quoting: true) }

    private func xmlEscaped(quoting: Bool) -> String {
        // Nearly every value needs nothing: returned as it is, without a scalar-by-scalar copy.
        // A value with 0xEF (the lead byte of U+FFFE and U+FFFF, among others) takes the careful path.
        if utf8.allSatisfy(Self.isPlainXMLByte) && !utf8.contains(0xEF) { return self }
        var result = ""
        result.reserveCapacity(utf8.count)
        for scalar in xmlCharactersOnly.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\r": result += "&#13;"
            case "\"" where quoting: result += "&quot;"
            case "\n" where quoting: result += "&#10;"
            case "\t" where quoting: result += "&#9;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

extension String {
    /// A byte that stands for itself in element content and in quoted attributes alike.
    fileprivate static func isPlainXMLByte(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte != UInt8(ascii: "&") && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">")
            && byte != UInt8(ascii: "\"")
    }
}

extension Unicode.Scalar {
    /// The XML 1.0 `Char` production (surrogates cannot occur in a `Unicode.Scalar`).
    var isXMLCharacter: Bool {
        switch value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
