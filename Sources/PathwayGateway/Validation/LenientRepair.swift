/// Repairs the MsgHead header deviations that real senders are known to emit (seen in NAV's padm2
/// test corpus, which mirrors production traffic), so a `lenient` partner's message can be read:
///
/// - `ConversationRef` with `RefToConversation` before `RefToParent`;
/// - `Ack` placed after `ConversationRef` instead of before it;
/// - `TeleCom` with `TeleAddress` before `TypeTelecom`;
/// - dates without zero padding (`1991-12-4`).
///
/// Only the header (`MsgInfo`) is touched, and only these patterns: anything else still fails
/// validation. Each repair yields one warning that names the line and the element, never the value
/// (a birth date is personal data).
enum LenientRepair {
    private static let msgInfoOrder = [
        "Type", "MIGversion", "GenDate", "MsgId", "ProcessingStatus",
        "RequestedPriority", "Ack", "ConversationRef", "Sender", "Receiver",
        "OtherReceiver", "Patient",
    ]

    /// Repairs `document` in place (callers pass a copy) and describes each repair.
    static func repair(_ document: XMLDocumentHandle) -> [String] {
        guard let info = document.root.child("MsgInfo") else { return [] }
        var warnings: [String] = []
        if let ref = info.child("ConversationRef") {
            let parts = ref.elements
            if parts.count == 2, parts[0].name == "RefToConversation", parts[1].name == "RefToParent" {
                parts[1].move(before: parts[0])
                warnings.append(
                    "line \(ref.line): ConversationRef children in reverse order (RefToConversation before RefToParent)"
                )
            }
        }
        if let ack = info.child("Ack"), let target = misplacement(of: ack, in: info) {
            let line = ack.line
            ack.move(before: target)
            warnings.append("line \(line): Ack misplaced in MsgInfo (belongs before \(target.name))")
        }
        for element in info.subtree {
            if element.name == "TeleCom" {
                let parts = element.elements
                if parts.count == 2, parts[0].name == "TeleAddress", parts[1].name == "TypeTelecom" {
                    parts[1].move(before: parts[0])
                    warnings.append("line \(element.line): TeleCom has TeleAddress before TypeTelecom")
                }
            } else if element.elements.isEmpty, let padded = paddedDate(element.text) {
                element.setText(padded)
                warnings.append("line \(element.line): \(element.name) is a date without zero padding")
            }
        }
        return warnings
    }

    /// The sibling `Ack` must move before, or nil when it is where the schema wants it.
    private static func misplacement(of ack: XMLElementView, in info: XMLElementView) -> XMLElementView? {
        let rank = { (e: XMLElementView) in msgInfoOrder.firstIndex(of: e.name) ?? msgInfoOrder.count }
        let ackRank = rank(ack)
        let siblings = info.elements
        guard let index = siblings.firstIndex(of: ack) else { return nil }
        let misplaced = siblings[..<index].contains { rank($0) > ackRank }
        guard misplaced else { return nil }
        return siblings.first { $0 != ack && rank($0) > ackRank }
    }

    /// "1991-12-4" → "1991-12-04"; nil when the text is not an unpadded date.
    static func paddedDate(_ text: String) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4,
            parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
            parts[1].count == 1 || parts[2].count == 1
        else { return nil }
        let pad = { (s: Substring) in s.count == 1 ? "0" + s : String(s) }
        return "\(parts[0])-\(pad(parts[1]))-\(pad(parts[2]))"
    }
}
