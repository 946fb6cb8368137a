/// Counts the attributes of every start tag in one linear pass over the raw bytes, before libxml2
/// sees them.
///
/// Why: libxml2 2.9 (Debian bookworm) checks each new attribute of a start tag against every
/// earlier one, so the cost of a tag grows with the square of its attribute count. One element
/// with 50,000 attributes (a 550 kB file, no DOCTYPE needed) takes 6 s to parse and 8 s more to
/// validate; a file at the 20 MB size limit would hold a worker for hours. Refusing a tag with more
/// than `XMLLimits.maxAttributes` (namespace declarations included) keeps parsing linear. Real KITH
/// messages carry at most a handful per element.
///
/// The scan knows just enough XML to find start tags: comments, CDATA sections, processing
/// instructions, declarations and end tags are skipped, and `=` counts only outside quoted values.
/// It works on the bytes of any ASCII-compatible encoding (UTF-8, ISO-8859-1); in UTF-16 the ASCII
/// bytes it looks for still appear as themselves. It never decides well-formedness: libxml2 does.
enum StartTagScanner {
    private static let commentEnd = Array("-->".utf8), cdataStart = Array("[CDATA[".utf8), cdataEnd = Array("]]>".utf8)
    private static let piEnd = Array("?>".utf8)

    /// The 1-based line of the first start tag with more than `limit` attributes, or nil.
    static func firstOverfullTag(in buffer: UnsafeRawBufferPointer, limit: Int) -> Int? {
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let end = buffer.count
        var i = 0
        var lineStart = 0  // offset from which newlines are not yet counted
        var line = 1
        func lineAt(_ offset: Int) -> Int {
            for j in lineStart..<offset where base[j] == 0x0A { line += 1 }
            lineStart = offset
            return line
        }
        /// Offset just past the next occurrence of `terminator` at or after `from` (or the end).
        func skip(past terminator: [UInt8], from: Int) -> Int {
            guard from < end, let hit = ByteSearch.firstIndex(of: terminator, in: buffer, from: from, to: end) else {
                return end
            }
            return hit + terminator.count
        }
        while i < end {
            // Text: jump to the next "<".
            guard let tag = ByteSearch.firstIndex(of: 0x3C, in: buffer, from: i, to: end) else { return nil }
            i = tag + 1
            guard i < end else { return nil }
            switch base[i] {
            case 0x21:  // "<!": comment, CDATA section or a declaration
                if i + 2 < end, base[i + 1] == 0x2D, base[i + 2] == 0x2D {
                    i = skip(past: commentEnd, from: i + 3)
                } else if i + 7 < end, (0..<7).allSatisfy({ base[i + 1 + $0] == cdataStart[$0] }) {
                    i = skip(past: cdataEnd, from: i + 8)
                } else {
                    i = skip(past: [0x3E], from: i)
                }
            case 0x3F:  // "<?": processing instruction or XML declaration
                i = skip(past: piEnd, from: i)
            case 0x2F:  // "</": end tag, no attributes
                i = skip(past: [0x3E], from: i)
            default:  // a start tag: count "=" outside quoted values until ">"
                var count = 0
                var quote: UInt8 = 0
                while i < end {
                    let byte = base[i]
                    if quote != 0 {
                        if byte == quote { quote = 0 }
                    } else if byte == 0x22 || byte == 0x27 {
                        quote = byte
                    } else if byte == 0x3D {
                        count += 1
                        if count > limit { return lineAt(tag) }
                    } else if byte == 0x3E {
                        break
                    }
                    i += 1
                }
                i += 1
            }
        }
        return nil
    }
}
