/// Masks values that may be personal data in texts produced from message content.
enum Redaction {
    /// Replaces every single-quoted value in a libxml2 message with '…', keeping quoted names that
    /// are schema vocabulary ('{namespace}Element', 'xs:date', facet names).
    static func maskQuotedValues(_ text: String) -> String {
        var output = ""
        var inQuote = false
        var quoted = ""
        for character in text {
            if character == "'" {
                if inQuote {
                    output += "'" + (isVocabulary(quoted) ? quoted : "…") + "'"
                    quoted = ""
                }
                inQuote.toggle()
            } else if inQuote {
                quoted.append(character)
            } else {
                output.append(character)
            }
        }
        if inQuote { output += "'" + (isVocabulary(quoted) ? quoted : "…") }
        return output
    }

    private static func isVocabulary(_ value: String) -> Bool {
        value.hasPrefix("{") || value.hasPrefix("xs:")
            || [
                "pattern", "length", "minLength", "maxLength",
                "enumeration", "minInclusive", "maxInclusive", "totalDigits", "fractionDigits",
            ].contains(value)
    }
}
