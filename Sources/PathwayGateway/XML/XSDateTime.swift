internal import CLibXML2

/// `xs:dateTime` exactly as the schemas check it: libxml2's own built-in type, so a value this
/// accepts is one an AppRec's `IssueDate` can carry without failing the AppRec schema.
///
/// Why: echoing a sender's GenDate that is not a dateTime makes the gateway's own AppRec invalid
/// (the fuzzer found `2019-01-16T22:51:35.5317672?\0\0\0+01:00`, whose first 19 characters look
/// right). A shape test on a prefix is not enough.
enum XSDateTime {
    static func isValid(_ text: String) -> Bool {
        // A C string ends at the first NUL: "2019-01-16T22:51:35.53\0…+01:00" would be judged by
        // its valid prefix (fuzz finding gendate-with-nul).
        guard !text.utf8.contains(0) else { return false }
        LibXML2.ensureInitialized()
        guard let type = xmlSchemaGetBuiltInType(XML_SCHEMAS_DATETIME) else { return false }
        return xmlSchemaValidatePredefinedType(type, text, nil) == 0
    }
}
