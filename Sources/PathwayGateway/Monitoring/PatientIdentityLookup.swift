import Foundation

/// Who a pseudonym is, for a coordinator who explicitly asked (`pathways due --show-identities`).
///
/// The database holds only keyed pseudonyms, so an identity can only come from the start event's
/// message itself: its sender and MsgId (the hospital finds the patient by them), and, while the
/// original is still in the archive, the fødselsnummer and name read from it. The pseudonym is
/// recomputed from that fødselsnummer and must match, so a wrong file can never name a patient.
public struct PatientIdentityLookup: Sendable {
    public struct Identity: Sendable, Hashable, Codable {
        /// The start message: sender partner and MsgId.
        public var partner: String
        public var msgId: String?
        /// Spool-relative path of the archived original, while it is there.
        var archivedFile: String?
        public var fodselsnummer: String?
        public var name: String?
        /// Why no fødselsnummer is given, when none is.
        public var note: String?
    }

    let spool: Spool
    let store: MessageStore
    let pseudonymizer: Pseudonymizer?

    /// The pseudonym key is read only if it exists (a lookup never creates one).
    public init(spool: Spool, store: MessageStore) {
        self.spool = spool
        self.store = store
        pseudonymizer =
            FileManager.default.fileExists(atPath: spool.pseudonymKey)
            ? try? Pseudonymizer.loadOrCreate(keyAt: spool.pseudonymKey) : nil
    }

    public func identity(for item: DueItem) -> Identity? {
        guard let start = item.start else { return nil }
        var identity = Identity(partner: start.partner, msgId: start.msgId)
        let head: MsgHead
        switch ArchivedOriginal.read(messageId: start.messageId, store: store, spool: spool, limits: .default) {
        case let .success(found):
            identity.archivedFile = found.path
            head = found.head
        case .failure(.notInState):
            identity.note = "the start message is no longer in the state database"
            return identity
        case .failure:
            identity.note = "the original is no longer in the archive"
            return identity
        }
        let patient = head.patient
        guard let number = patient?.personalIdent?.id, let pseudonymizer,
            pseudonymizer.pseudonym(for: number) == item.patient
        else {
            identity.note = "the archived original does not match the pseudonym"
            return identity
        }
        identity.fodselsnummer = number
        identity.name = [patient?.familyName, patient?.givenName].compactMap { $0 }.joined(separator: ", ")
        return identity
    }
}
