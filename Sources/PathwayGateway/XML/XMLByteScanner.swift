/// Where elements lie in the raw bytes of a document that libxml2 has already parsed: enough XML
/// to find start tags, end tags and their extents (comments, CDATA sections and processing
/// instructions are skipped, `>` inside quoted attribute values is not an end).
///
/// Why: the routed copy (`OutboundMessageBuilder`) changes only MsgInfo. Re-serialising the whole
/// tree pushed every attachment's base64 through libxml2's escaping serializer after a deep copy
/// (58 µs per routed message in a 15 kB average, 16 % of a drain's instructions); splicing a new
/// MsgInfo into the original bytes copies them once. The scanner never decides well-formedness:
/// it answers nil for anything it does not expect, and the caller falls back to the tree.
/// ASCII-compatible encodings only (the caller checks for UTF-8).
struct XMLByteScanner {
    /// One element: `start` at its `<`, `end` just past its end tag; content between
    /// `contentStart` and `contentEnd` (empty for `<a/>`).
    struct Element: Equatable {
        var name: ArraySlice<UInt8>
        var start: Int
        var contentStart: Int
        var contentEnd: Int
        var end: Int

        /// The name without its prefix.
        var localName: ArraySlice<UInt8> { name.firstIndex(of: UInt8(ascii: ":")).map { name[($0 + 1)...] } ?? name }
        /// "p:" for a prefixed name, "" otherwise.
        var prefix: ArraySlice<UInt8> { name.firstIndex(of: UInt8(ascii: ":")).map { name[...$0] } ?? [] }
    }

    let bytes: [UInt8]

    /// The root element's start tag, after the prolog (XML declaration, comments, processing
    /// instructions, whitespace); its content and end are taken to run to the end of the bytes,
    /// unscanned (a caller wants its first children, not the whole document walked). Nil for a
    /// document type declaration or anything else in the prolog.
    func root() -> Element? {
        var i = 0
        while let next = skipMarkup(from: i) { i = next }
        guard let (name, tagEnd, empty) = startTag(at: i), !empty else { return nil }
        return Element(name: name, start: i, contentStart: tagEnd, contentEnd: bytes.count, end: bytes.count)
    }

    /// The element children of `parent` (the first `limit` of them), in order; nil when its content
    /// holds anything but elements, character data, comments and processing instructions.
    func children(of parent: Element, limit: Int = .max) -> [Element]? {
        var result: [Element] = []
        var i = parent.contentStart
        while result.count < limit, let open = find(UInt8(ascii: "<"), from: i, before: parent.contentEnd) {
            if let next = skipMarkup(from: open) {
                i = next
                continue
            }
            guard let child = element(at: open), child.end <= parent.contentEnd else { return nil }
            result.append(child)
            i = child.end
        }
        return result
    }

    /// The element whose start tag begins at `start`, scanned to its matching end tag.
    func element(at start: Int) -> Element? {
        guard let (name, tagEnd, empty) = startTag(at: start) else { return nil }
        if empty { return Element(name: name, start: start, contentStart: tagEnd, contentEnd: tagEnd, end: tagEnd) }
        var depth = 1
        var i = tagEnd
        while let open = find(UInt8(ascii: "<"), from: i, before: bytes.count) {
            if let next = skipMarkup(from: open) {
                i = next
                continue
            }
            if open + 1 < bytes.count, bytes[open + 1] == UInt8(ascii: "/") {
                guard let close = find(UInt8(ascii: ">"), from: open, before: bytes.count) else { return nil }
                depth -= 1
                if depth == 0 {
                    guard bytes[(open + 2)..<(open + 2 + name.count)].elementsEqual(name) else { return nil }
                    return Element(name: name, start: start, contentStart: tagEnd, contentEnd: open, end: close + 1)
                }
                i = close + 1
            } else {
                guard let (_, childEnd, childEmpty) = startTag(at: open) else { return nil }
                if !childEmpty { depth += 1 }
                i = childEnd
            }
        }
        return nil
    }

    /// Past a comment, CDATA section, processing instruction or whitespace run at `i`; nil when
    /// `i` starts none of these (an element, an end tag, text, a DOCTYPE, the end).
    private func skipMarkup(from i: Int) -> Int? {
        guard i < bytes.count else { return nil }
        if Self.isSpace(bytes[i]) {
            var j = i
            while j < bytes.count, Self.isSpace(bytes[j]) { j += 1 }
            return j
        }
        for (opening, closing) in Self.skipped where bytes[i...].starts(with: opening) {
            return find(closing, from: i + opening.count, before: bytes.count).map { $0 + closing.count } ?? bytes.count
        }
        return nil
    }

    /// A start tag at `i`: its name, the offset just past its `>`, and whether it is `<a/>`.
    private func startTag(at i: Int) -> (ArraySlice<UInt8>, Int, Bool)? {
        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "<") else { return nil }
        var j = i + 1
        while j < bytes.count, !Self.isSpace(bytes[j]), bytes[j] != UInt8(ascii: ">"), bytes[j] != UInt8(ascii: "/") {
            j += 1
        }
        let name = bytes[(i + 1)..<j]
        guard !name.isEmpty, name.first != UInt8(ascii: "!"), name.first != UInt8(ascii: "?") else { return nil }
        var quote: UInt8?
        while j < bytes.count {
            let byte = bytes[j]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return (name, j + 1, bytes[j - 1] == UInt8(ascii: "/"))
            }
            j += 1
        }
        return nil
    }

    private func find(_ byte: UInt8, from i: Int, before end: Int) -> Int? {
        ByteSearch.firstIndex(of: byte, in: bytes, from: i, to: end)
    }

    /// Where `needle` first starts in `from..<end`, if it lies wholly inside.
    func find(_ needle: [UInt8], from i: Int, before end: Int) -> Int? {
        guard i < end else { return nil }
        return ByteSearch.firstIndex(of: needle, in: bytes, from: i, to: end)
    }

    private static let skipped: [([UInt8], [UInt8])] = [
        (Array("<!--".utf8), Array("-->".utf8)), (Array("<![CDATA[".utf8), Array("]]>".utf8)),
        (Array("<?".utf8), Array("?>".utf8)),
    ]

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
