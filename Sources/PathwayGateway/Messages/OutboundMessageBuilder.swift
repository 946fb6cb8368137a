/// Builds the routed copy of an accepted MsgHead for a municipal contact point (spec §4.8).
///
/// The gateway relays; it does not author. So the routed message changes only what a relay must
/// change and carries everything else unchanged (Type, Ack, ProcessingStatus, OtherReceiver,
/// Patient, every Document with payload and attachments, byte for byte in their text):
///
/// - **MsgId, GenDate**: new values. The routed message is a new message from the gateway, and the
///   municipality's AppRec echoes *this* MsgId in `OriginalMsgId`, which is how §4.7 matches it.
/// - **Sender**: the gateway organisation alone (name + HER-id). The receiving system answers the
///   innermost HER-id of the Sender, so AppRecs and replies must come back to the gateway, which is
///   accountable for the relay and the only party that can match them. Nesting the original sender
///   inside the gateway would make *its* HER-id innermost and route answers past the gateway.
/// - **Receiver**: the contact point, its HER-id innermost, under its parent organisation when one
///   is given (e.g. "Bergen kommune / Koordinerende enhet"). `ComMethod` is kept.
/// - **ConversationRef** (always written, just before Sender so MsgInfo keeps schema order):
///   `RefToParent` = the original MsgId, `RefToConversation` = the original
///   `ConversationRef/RefToConversation` when it had one, else the original MsgId. The routed
///   message thus sits in the sender's conversation as a child of the original message, which is
///   what keeps the original sender traceable: MsgId (with the audit record of the original's sender
///   HER-id) leads back to it, and the Dialogmelding itself still names the author.
/// - **ds:Signature**: removed. An enveloped signature covers MsgInfo, which the relay has just
///   changed; forwarding it would present a signature that no longer verifies.
///
/// Works on the original bytes when it can (see `spliced`), else on `original.copy()`; the caller's
/// tree is never touched. Output is UTF-8 with an XML declaration, whatever the original's encoding was.
struct OutboundMessageBuilder: Sendable {
    /// An organisation as the routed message names it: name and HER-id.
    struct Party: Sendable, Hashable, Codable {
        var name: String
        var herId: String
    }

    /// The routing target: the contact point itself (its HER-id becomes the innermost one) and,
    /// optionally, the organisation it belongs to.
    struct ContactPoint: Sendable, Hashable, Codable {
        var unit: Party
        var parent: Party?

        init(unit: Party, parent: Party? = nil) {
            self.unit = unit
            self.parent = parent
        }

        init(name: String, herId: String, parentName: String? = nil, parentHerId: String? = nil) {
            let parent = parentName.flatMap { name in parentHerId.map { Party(name: name, herId: $0) } }
            self.init(unit: Party(name: name, herId: herId), parent: parent)
        }
    }

    /// Why a tree could not be re-addressed (only possible for a tree that is not a valid MsgHead).
    enum BuildError: Error, Sendable, Equatable, CustomStringConvertible {
        case notAMsgHead
        case missingElement(String)

        var description: String {
            switch self {
            case .notAMsgHead: "the document is not a MsgHead 1.2"
            case let .missingElement(name): "the MsgHead has no \(name)"
            }
        }
    }

    /// The gateway's own identity: the Sender of every routed message.
    var gateway: Party

    /// The serialised routed copy of `original` (a schema-valid MsgHead) for `contactPoint`.
    /// `source`: the bytes `original` was parsed from, when the tree is exactly that parse (not a
    /// lenient repair). MsgInfo is then spliced into them (`spliced`), which keeps every byte
    /// outside it and costs a fraction of copying and re-serialising the whole tree.
    func build(
        from original: XMLDocumentHandle, source: [UInt8]? = nil, msgId: String, genDate: String,
        to contactPoint: ContactPoint
    ) throws(BuildError) -> [UInt8] {
        if let source, let copy = spliced(source, original: original, msgId: msgId, genDate: genDate, to: contactPoint)
        {
            return copy
        }
        let document = original.copy()
        let root = document.root
        guard root.isNamed("MsgHead", namespace: KITHNamespace.msgHead) else { throw .notAMsgHead }
        guard let info = root.child("MsgInfo") else { throw .missingElement("MsgInfo") }
        guard let msgIdElement = info.child("MsgId") else { throw .missingElement("MsgInfo/MsgId") }
        guard let genDateElement = info.child("GenDate") else { throw .missingElement("MsgInfo/GenDate") }
        guard let sender = info.child("Sender") else { throw .missingElement("MsgInfo/Sender") }
        guard let receiver = info.child("Receiver") else { throw .missingElement("MsgInfo/Receiver") }

        let originalMsgId = msgIdElement.text
        let existingRef = info.child("ConversationRef")
        let conversation = existingRef?.childText("RefToConversation") ?? originalMsgId

        msgIdElement.setText(msgId.xmlCharactersOnly)
        genDateElement.setText(genDate.xmlCharactersOnly)

        let ref = info.appendChild("ConversationRef")
        ref.appendChild("RefToParent", text: originalMsgId)
        ref.appendChild("RefToConversation", text: conversation)
        if let existingRef { Self.put(ref, inPlaceOf: existingRef) } else { ref.move(before: sender) }

        Self.replaceOrganisation(in: sender, with: [gateway])
        Self.replaceOrganisation(in: receiver, with: [contactPoint.parent, contactPoint.unit].compactMap { $0 })

        root.child("Signature", namespace: KITHNamespace.xmldsig)?.remove()
        return document.serialized()
    }

    /// Replaces the `Organisation` of a Sender/Receiver with a chain of nested organisations,
    /// outermost first; `ComMethod`, which precedes it, stays.
    private static func replaceOrganisation(in party: XMLElementView, with chain: [Party]) {
        let old = party.child("Organisation")
        var parent = party
        var outermost: XMLElementView?
        for level in chain {
            let organisation = parent.appendChild("Organisation")
            organisation.appendChild("OrganisationName", text: level.name.xmlCharactersOnly)
            let ident = organisation.appendChild("Ident")
            ident.appendChild("Id", text: level.herId.xmlCharactersOnly)
            let typeId = ident.appendChild("TypeId")
            typeId.setAttribute("V", "HER")
            typeId.setAttribute("S", KITHCodeSystem.organisationIdType)
            typeId.setAttribute("DN", "HER-id")
            outermost = outermost ?? organisation
            parent = organisation
        }
        if let old, let outermost { put(outermost, inPlaceOf: old) }
    }

    /// Moves a freshly appended element into the place of `old`, keeping the original's indentation
    /// around it (removing `old` and appending would leave its whitespace behind). A move rather than
    /// `replace(with:)`, whose copy would re-declare the namespace on the new element.
    private static func put(_ new: XMLElementView, inPlaceOf old: XMLElementView) {
        new.move(before: old)
        old.remove()
    }
}
