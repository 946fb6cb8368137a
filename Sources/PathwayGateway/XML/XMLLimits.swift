/// Bounds applied to every document before and while it is parsed.
///
/// Real KITH messages are a few kilobytes, and with attachments rarely over a few megabytes; the
/// limits stop a hostile or broken sender from exhausting memory or stack.
public struct XMLLimits: Sendable, Hashable, Codable {
    /// Largest accepted file, in bytes.
    public var maxBytes: Int
    /// Deepest accepted element nesting (a real MsgHead with a Dialogmelding is about 15 deep).
    var maxDepth: Int
    /// Most attributes (namespace declarations included) on one element: libxml2's parse time
    /// grows with the square of this count (see `StartTagScanner`); real elements carry a handful.
    var maxAttributes: Int

    init(maxBytes: Int = 20 * 1024 * 1024, maxDepth: Int = 100, maxAttributes: Int = 100) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxAttributes = maxAttributes
    }

    public static let `default` = XMLLimits()
}
