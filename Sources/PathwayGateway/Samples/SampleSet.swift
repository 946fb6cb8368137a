import Foundation

/// The named sample messages shipped in `samples/messages/` and used by the `demo` tour: one per
/// flow of spec §4, each with the outcome the gateway gives it under the embedded default config.
public enum SampleSet {
    public struct Sample: Sendable {
        public var fileName: String
        /// What the sample demonstrates.
        public var purpose: String
        /// The AppRec error code it earns from `validate`, or nil when accepted.
        var expectedCode: AppRecErrorCode?
        public var bytes: [UInt8]
    }

    static let hospital = SampleMessageFactory.Party(
        name: "Helse Bergen HF", herId: "8150010",
        unitName: "Kreftavdelingen", unitHerId: "8150011")
    static let gateway = SampleMessageFactory.Party(name: "Forløpsgateway Helse Vest", herId: "8150001")
    static let bergen = SampleMessageFactory.Party(
        name: "Bergen kommune", herId: "8150100",
        unitName: "Kreftkoordinator", unitHerId: "8150101")
    /// Skatteetaten's synthetic test persons (month + 80): never real people.
    static let patients = ["03851598730", "30908299902"]

    public static var all: [Sample] {
        func message(_ id: String, event: String?, _ edit: (inout SampleMessageFactory.Message) -> Void = { _ in })
            -> [UInt8]
        {
            var m = SampleMessageFactory.Message(
                msgId: id, sender: hospital, receiver: gateway,
                patient: .init(fnr: patients[0], kommune: "4601"), pathwayEvent: event)
            m.noteDate = "2026-11-20"
            edit(&m)
            return Array(SampleMessageFactory.xml(m).utf8)
        }
        let sp1 = message("7d3e0c1a-sp1-0001", event: "PFH-SP1") { $0.attachmentBytes = 6_000 }
        let sp1Text = String(decoding: sp1, as: UTF8.self)
        return [
            Sample(
                fileName: "01-sp1-needs-assessment.xml",
                purpose: "PFH-SP1 with a PDF, routed to Bergen's contact point",
                expectedCode: nil, bytes: sp1),
            Sample(
                fileName: "02-npf-kommune-followup.xml",
                purpose: "NPF-KOMMUNE (Dialogmelding 1.0), routed to the contact point",
                expectedCode: nil,
                bytes: message("7d3e0c1a-npf-0002", event: "NPF-KOMMUNE") {
                    $0.dialogVersion = .v1_0
                    $0.patient?.fnr = patients[1]
                }),
            Sample(
                fileName: "03-plain-dialog-to-kommune.xml", purpose: "no event code: routed by its Receiver",
                expectedCode: nil, bytes: message("7d3e0c1a-dlg-0003", event: nil) { $0.receiver = bergen }),
            Sample(
                fileName: "04-wrong-fnr.xml", purpose: "fødselsnummer with wrong check digits: E31",
                expectedCode: .patientIdWrong,
                bytes: message("7d3e0c1a-bad-0004", event: "PFH-SP1") { $0.patient?.fnr = "03851598731" }),
            Sample(
                fileName: "05-no-patient-id.xml", purpose: "patient without identity number: E30",
                expectedCode: .patientIdMissing,
                bytes: message("7d3e0c1a-bad-0005", event: "PFH-SP1") { $0.patient?.fnr = nil }),
            Sample(
                fileName: "06-not-well-formed.xml", purpose: "cut off mid-file: T01, MsgId recovered from the text",
                expectedCode: .notWellFormed, bytes: Array(sp1Text.prefix(900).utf8)),
            Sample(
                fileName: "07-schema-invalid.xml", purpose: "GenDate is not a date: T02 with the line",
                expectedCode: .schemaInvalid,
                bytes: message("7d3e0c1a-bad-0007", event: "PFH-SP1") { $0.genDate = "i går" }),
            Sample(
                fileName: "08-unsupported-type.xml", purpose: "a message type the gateway does not carry: T10",
                expectedCode: .unsupportedFormat,
                bytes: Array(
                    String(decoding: message("7d3e0c1a-bad-0008", event: nil), as: UTF8.self)
                        .replacingOccurrences(of: "DIALOG_HELSEFAGLIG", with: "EPIKRISE").utf8)),
        ]
    }
}
