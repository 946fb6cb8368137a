import Foundation

/// A reminder's content: the patient comes from the episode's start message in the archive (the
/// state database holds only pseudonyms), checked against the window's pseudonym so that a wrong
/// file can never name a patient; everything else from the configuration and the catalog.
extension ReminderSweep {
    /// Why no reminder could be written for a window.
    struct Note: Error, Sendable, Hashable {
        var reason: String
    }

    func compose(_ window: ReminderStore.Window, point: ContactPoint, msgId: String, createdAt: Int64)
        -> Result<ReminderMessage, Note>
    {
        guard let definition = config.pathways.definition(id: window.key.pathway) else {
            return .failure(Note(reason: "pathway \(window.key.pathway) is no longer in the catalog; no reminder"))
        }
        let patient: Patient
        switch startPatient(window) {
        case let .success(found): patient = found
        case let .failure(note): return .failure(note)
        }
        let target = Router(config: config).target(point, reason: "reminder")
        let message = ReminderMessage(
            msgId: msgId,
            genDate: Timestamp.osloLocal(Date(timeIntervalSince1970: Double(createdAt) / 1000)),
            sender: .init(name: config.gateway.name, herId: config.gateway.herId),
            receiver: target.contactPoint.chain, patient: patient,
            topic: ReminderText.topic(window, definition: definition),
            text: ReminderText.note(window, definition: definition, contactPoint: point, gateway: config.gateway.name),
            noteDate: window.opens)
        return .success(message)
    }

    /// The patient as the archived start message names them, when its fødselsnummer gives the
    /// window's pseudonym.
    private func startPatient(_ window: ReminderStore.Window) -> Result<Patient, Note> {
        guard let start = window.startMessageId else {
            return .failure(Note(reason: "the episode's start message is not in the state database; no reminder"))
        }
        let head: MsgHead
        switch ArchivedOriginal.read(messageId: start, store: store, spool: spool, limits: config.limits) {
        case let .success(found): head = found.head
        case .failure(.notInState):
            return .failure(Note(reason: "the episode's start message is not in the state database; no reminder"))
        case .failure:
            return .failure(Note(reason: "the start message's original is no longer in the archive; no reminder"))
        }
        guard let patient = head.patient, let number = patient.personalIdent?.id,
            pseudonymizer.pseudonym(for: number) == window.key.pseudonym
        else { return .failure(Note(reason: "the archived start message does not match the pseudonym; no reminder")) }
        return .success(patient)
    }
}
