import Foundation

/// The demo's later rounds (spec §7): the municipality takes a copy without answering and the
/// hospital sends it again; the contact point replies through the gateway; the hospital's AppRec
/// for the reply goes back to the contact point.
extension DemoTour {
    static let replyFile = "svar-01.xml"

    /// Round 3: Bergen kommune's system picks up the copy of sample 03 (and never answers it), then
    /// Helse Bergen sends 03 again; Bergen's contact point replies to sample 01 via the gateway.
    func conversationGoesOn() throws -> [Drop] {
        let samples = SampleSet.all
        guard unlink(try deliveredPath(of: samples[2].fileName)) == 0 else {
            throw Failure.missingStep("the delivered copy of \(samples[2].fileName) to take")
        }
        return [
            Drop(
                inbox: Self.hospital, fileName: "03-resent.xml",
                story: "sample 03 sent again; Bergen kommune had taken the first copy and never answered",
                bytes: samples[2].bytes),
            Drop(
                inbox: Self.municipality, fileName: Self.replyFile,
                story: "Bergen kommune's contact point replies to sample 01, addressed to the gateway "
                    + "(ConversationRef/RefToParent = sample 01's MsgId)",
                bytes: try replyToSample01()),
        ]
    }

    /// Round 4: Helse Bergen's AppRec OK for the reply it received.
    func hospitalAnswersTheReply() throws -> Drop {
        Drop(
            inbox: Self.hospital, fileName: "apprec-svar.xml",
            story: "Helse Bergen's AppRec OK for the contact point's reply",
            bytes: try receiverAppRec(
                answering: Self.replyFile, from: Self.municipality, id: "helse-bergen-kvittering-svar", status: .ok))
    }

    /// What the contact point's system writes: Sender = the contact point (as the copy named it),
    /// Receiver = the gateway, the patient, and the conversation it answers.
    private func replyToSample01() throws -> [UInt8] {
        let copy = try deliveredCopy(of: SampleSet.all[0].fileName)
        let point = copy.receiver
        var reply = SampleMessageFactory.Message(
            msgId: "bergen-svar-01",
            sender: .init(
                name: point.name, herId: point.herIds.first ?? "", unitName: point.unit?.name,
                unitHerId: point.unit?.herIds.first),
            receiver: .init(name: config.gateway.name, herId: config.gateway.herId),
            patient: .init(fnr: copy.patient?.personalIdent?.id, kommune: copy.patient?.kommune))
        reply.genDate = "2026-11-24T09:30:00"
        reply.text = "Takk for behovskartleggingen. Kreftkoordinator tar kontakt med pasienten denne uken."
        reply.conversationRef = (copy.msgId, copy.conversationRef?.refToConversation ?? copy.msgId)
        return Array(SampleMessageFactory.xml(reply).utf8)
    }
}
