extension AppRec {
    /// `bytes` (an AppRec) with the text of `OriginalMsgId/Id` changed from `old` to `new` and every
    /// other byte kept: how a receiver's answer to a copy of an earlier version (which carried a
    /// gateway MsgId) reaches the original sender as the receiver wrote it. Nil when the bytes do
    /// not have that element with exactly `old` in it, or `new` is not plain ASCII (any encoding the
    /// receipt declares reads it the same), so the caller re-encodes instead.
    static func replacingOriginalMsgId(in bytes: [UInt8], from old: String, to new: String) -> [UInt8]? {
        guard new.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: "&") })
        else { return nil }
        let scanner = XMLByteScanner(bytes: bytes)
        guard let root = scanner.root(),
            let original = scanner.children(of: root)?.first(where: {
                $0.localName.elementsEqual("OriginalMsgId".utf8)
            }),
            let id = scanner.children(of: original)?.first(where: { $0.localName.elementsEqual("Id".utf8) }),
            bytes[id.contentStart..<id.contentEnd].elementsEqual(old.utf8)
        else { return nil }
        return Array(bytes[..<id.contentStart]) + Array(new.utf8) + Array(bytes[id.contentEnd...])
    }
}
