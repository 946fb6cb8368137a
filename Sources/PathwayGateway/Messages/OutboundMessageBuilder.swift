/// Builds the delivered copy of an accepted MsgHead (spec §7): the gateway is a transparent router,
/// so the receiver sees the message the sender wrote.
///
/// - **MsgId, GenDate, Sender, ConversationRef, Patient, every Document**: kept as they came. The
///   receiver's AppRec then names the original MsgId and goes to the original Sender; the gateway
///   matches it by (OriginalMsgId, the partner it delivered to, the AppRec's Receiver HER-id) and
///   relays it to the sender, so the hospital learns that *the contact point* got it.
/// - **Receiver**: replaced only when the gateway chose it (a contact point found by kommune and
///   pathway): the contact point, its HER-id innermost, under its parent organisation when one is
///   given (e.g. "Bergen kommune / Koordinerende enhet"). `ComMethod` is kept. A message already
///   addressed to its target is delivered byte for byte.
/// - **ds:Signature**: removed only when the bytes change. An enveloped signature covers MsgInfo;
///   forwarding it over a changed Receiver would present a signature that no longer verifies.
///
/// Works on the original bytes when it can (see `spliced`), else on `original.copy()`; the caller's
/// tree is never touched. A changed copy is UTF-8 with an XML declaration, whatever the original's
/// encoding was.
struct OutboundMessageBuilder: Sendable {
    /// An organisation as the routed message names it: name and HER-id.
    struct Party: Sendable, Hashable, Codable {
        var name: String
        var herId: String
    }

    /// The Receiver the gateway writes when it chose it: organisations from the outside in, the
    /// last one's HER-id innermost. A contact point (under its parent organisation when one is
    /// given), or for a reply the original message's Sender organisations.
    struct ContactPoint: Sendable, Hashable, Codable {
        var chain: [Party]

        init(chain: [Party]) { self.chain = chain }

        init(unit: Party, parent: Party? = nil) { chain = [parent, unit].compactMap { $0 } }

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

    /// The delivered copy of `original` (a schema-valid MsgHead), re-addressed to `receiver` when
    /// the gateway chose it (nil: the message keeps its own Receiver). `source`: the bytes
    /// `original` was parsed from, when the tree is exactly that parse (not a lenient repair); they
    /// are delivered as they are when nothing changes, and otherwise the Receiver is spliced into
    /// them (`spliced`), which keeps every other byte and costs a fraction of re-serialising the tree.
    func build(
        from original: XMLDocumentHandle, source: [UInt8]? = nil, to receiver: ContactPoint?
    ) throws(BuildError) -> [UInt8] {
        guard original.root.isNamed("MsgHead", namespace: KITHNamespace.msgHead) else { throw .notAMsgHead }
        if let source, receiver == nil { return source }
        if let source, let receiver, let copy = spliced(source, original: original, to: receiver) { return copy }
        let document = original.copy()
        let root = document.root
        guard let info = root.child("MsgInfo") else { throw .missingElement("MsgInfo") }
        guard let element = info.child("Receiver") else { throw .missingElement("MsgInfo/Receiver") }
        if let receiver {
            Self.replaceOrganisation(in: element, with: receiver.chain)
        }
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
