import Foundation

/// What can be recovered from a file that is not well-formed XML, by plain text scanning, so that
/// its sender can still get a T01 AppRec that names the message (spec §4.1).
///
/// Deliberately simple: the first `MsgId`, `Type V=` and `GenDate` found in the bytes. Nothing here
/// is trusted for routing; it only fills the AppRec's OriginalMsgId.
struct HeaderSalvage: Sendable, Hashable {
    var msgId: String
    var typeCode: String?
    var genDate: String?

    init(msgId: String, typeCode: String? = nil, genDate: String? = nil) {
        self.msgId = msgId
        self.typeCode = typeCode
        self.genDate = genDate
    }

    /// How much of a file is scanned: the header comes first in every MsgHead.
    static let scannedBytes = 65_536

    /// Scans at most the first `scannedBytes`.
    init?(scanning bytes: [UInt8]) {
        let head = String(decoding: bytes.prefix(Self.scannedBytes), as: UTF8.self)
        guard let msgId = Self.elementText("MsgId", in: head), !msgId.isEmpty, msgId.count <= 200 else { return nil }
        self.msgId = msgId
        typeCode = Self.typeCode(in: head)
        // Only a real xs:dateTime: it is echoed as the AppRec's IssueDate, which the schema checks.
        genDate = Self.elementText("GenDate", in: head).flatMap { XSDateTime.isValid($0) ? $0 : nil }
    }

    /// Text of the first `<Name>` or `<prefix:Name>` element, if it is plain text.
    static func elementText(_ name: String, in text: String) -> String? {
        var searchStart = text.startIndex
        while let open = text.range(of: name + ">", range: searchStart..<text.endIndex) {
            searchStart = open.upperBound
            // Must be a start tag: "<Name>" or "<p:Name>".
            let before = text[text.startIndex..<open.lowerBound]
            guard let lt = before.lastIndex(of: "<") else { continue }
            let tagPrefix = before[before.index(after: lt)...]
            guard !tagPrefix.hasPrefix("/"),
                tagPrefix.allSatisfy({ $0.isLetter || $0.isNumber || $0 == ":" || $0 == "_" }),
                tagPrefix.isEmpty || tagPrefix.hasSuffix(":")
            else { continue }
            guard let close = text[open.upperBound...].firstIndex(of: "<") else { return nil }
            let value = String(text[open.upperBound..<close]).trimmingWhitespace()
            return value.isEmpty || value.contains("&") ? nil : value
        }
        return nil
    }

    /// `V` of the first `<Type ...>` element (the message function).
    static func typeCode(in text: String) -> String? {
        guard let start = text.range(of: "<Type ") ?? text.range(of: ":Type ") else { return nil }
        guard let end = text[start.upperBound...].firstIndex(of: ">") else { return nil }
        let tag = text[start.upperBound..<end]
        guard let v = tag.range(of: "V=") else { return nil }
        let rest = tag[v.upperBound...]
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        let value = rest.dropFirst().prefix { $0 != quote }
        return value.isEmpty ? nil : String(value)
    }
}
