extension OutboundMessageBuilder {
    /// The delivered copy as the original bytes with the new Receiver organisation spliced in: the
    /// same change as the tree path (`build`), written as bytes, and everything else copied as it came.
    /// Nil when the fast path does not apply, and `build` works on a copy of the tree instead:
    /// a non-UTF-8 or byte-order-marked file, a Signature to drop, a namespace declared inside
    /// MsgInfo (the new elements borrow MsgInfo's prefix, which must mean the same everywhere in
    /// it), or bytes whose elements do not line up with the tree's.
    func spliced(_ source: [UInt8], original: XMLDocumentHandle, to receiver: ContactPoint) -> [UInt8]? {
        let root = original.root
        guard root.isNamed("MsgHead", namespace: KITHNamespace.msgHead),
            root.child("Signature", namespace: KITHNamespace.xmldsig) == nil,
            let info = root.elements.first, info.isNamed("MsgInfo", namespace: KITHNamespace.msgHead),
            let element = info.child("Receiver"),
            let declaration = Self.declarationToAdd(before: source, declaredEncoding: original.declaredEncoding)
        else { return nil }
        let scanner = XMLByteScanner(bytes: source)
        // Any "xmlns" counts as a declaration: a false alarm only sends the copy down the tree path.
        guard let top = scanner.root(), let msgInfo = scanner.children(of: top, limit: 1)?.first,
            scanner.find(Array("xmlns".utf8), from: msgInfo.start, before: msgInfo.end) == nil,
            let parts = scanner.children(of: msgInfo), Self.lineUp(parts, info),
            let part = parts.first(where: { $0.localName.elementsEqual("Receiver".utf8) }),
            let inside = scanner.children(of: part), Self.lineUp(inside, element),
            let organisation = inside.first(where: { $0.localName.elementsEqual("Organisation".utf8) })
        else { return nil }
        let chain = receiver.chain
        var result = declaration
        result.reserveCapacity(source.count + 512)
        result += source[..<organisation.start]
        result += Self.organisation(chain[...], Array(msgInfo.prefix))
        result += source[organisation.end...]
        return result
    }

    /// What must precede the source for the copy to be UTF-8 with an XML declaration: nothing
    /// when it declares UTF-8 (or no encoding, which means UTF-8), the standard declaration when it
    /// has none; nil for another encoding or a byte-order mark.
    static func declarationToAdd(before source: [UInt8], declaredEncoding: String?) -> [UInt8]? {
        guard let first = source.first, first < 0x80,
            declaredEncoding.map({ ["utf-8", "utf8"].contains($0.lowercased()) }) ?? true
        else { return nil }
        return source.starts(with: "<?xml".utf8) ? [] : Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".utf8)
    }

    /// Whether the scanned elements are the tree's children, by local name and in order: the bytes
    /// are then known to be the document the tree was parsed from, at this element.
    private static func lineUp(_ scanned: [XMLByteScanner.Element], _ element: XMLElementView) -> Bool {
        scanned.map { String(decoding: $0.localName, as: UTF8.self) } == element.elements.map(\.name)
    }

    /// An Organisation chain (outermost first) as `build` writes it: name, HER-id, then the next level.
    private static func organisation(_ chain: ArraySlice<Party>, _ prefix: [UInt8]) -> [UInt8] {
        guard let level = chain.first else { return [] }
        let typeId = Array(
            "<\(String(decoding: prefix, as: UTF8.self))TypeId V=\"HER\" S=\"\(KITHCodeSystem.organisationIdType)\" DN=\"HER-id\"/>"
                .utf8)
        return element(
            "Organisation", prefix,
            element("OrganisationName", prefix, text(level.name))
                + element("Ident", prefix, element("Id", prefix, text(level.herId)) + typeId)
                + organisation(chain.dropFirst(), prefix))
    }

    private static func element(_ name: String, _ prefix: [UInt8], _ content: [UInt8]) -> [UInt8] {
        [UInt8(ascii: "<")] + prefix + Array(name.utf8) + [UInt8(ascii: ">")] + content
            + Array("</".utf8) + prefix + Array(name.utf8) + [UInt8(ascii: ">")]
    }

    private static func text(_ value: String) -> [UInt8] { Array(value.xmlEscapedText.utf8) }
}
