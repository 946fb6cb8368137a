/// A minimal indenting writer for the receipt; attributes with a nil value are skipped.
struct XMLTextWriter {
    private(set) var text = ""
    private var depth = 0

    mutating func raw(_ string: String) { text += string }

    mutating func open(_ name: String, _ attributes: [(String, String?)] = []) {
        indent()
        text += "<" + name + Self.attributes(attributes) + ">\n"
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        indent()
        text += "</\(name)>\n"
    }

    mutating func element(_ name: String, _ value: String) {
        indent()
        text += "<\(name)>\(value.xmlEscapedText)</\(name)>\n"
    }

    mutating func empty(_ name: String, _ attributes: [(String, String?)]) {
        indent()
        text += "<" + name + Self.attributes(attributes) + "/>\n"
    }

    private static func attributes(_ pairs: [(String, String?)]) -> String {
        pairs.reduce(into: "") { result, pair in
            if let value = pair.1 { result += " \(pair.0)=\"\(value.xmlEscapedAttribute)\"" }
        }
    }

    private mutating func indent() { text += String(repeating: "    ", count: depth) }
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

extension Unicode.Scalar {
    /// The XML 1.0 `Char` production (surrogates cannot occur in a `Unicode.Scalar`).
    var isXMLCharacter: Bool {
        switch value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
