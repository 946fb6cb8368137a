/// Checks beyond the schema: the code values and identities the gateway relies on, each mapped to
/// the AppRec error code of spec §4.
enum SemanticRules {
    /// Message functions (code list 8279) the gateway carries.
    static let supportedTypes: Set<String> = [
        "DIALOG_NOTAT", "DIALOG_FORESPORSEL", "DIALOG_SVAR", "DIALOG_HELSEFAGLIG",
    ]

    static func check(_ head: MsgHead) throws(Rejection) {
        let subject = Rejection.Subject.msgHead(head)
        guard !head.msgId.isEmpty else { throw Rejection(.invalidMessageId, "MsgId is empty", subject: subject) }
        guard head.sender.innermostHerId != nil else {
            throw Rejection(.other, "Sender has no HER-id", subject: subject)
        }
        guard let patient = head.patient else { return }
        for ident in patient.idents where ["FNR", "DNR", "HNR"].contains(ident.type) {
            if let problem = Fodselsnummer.problem(in: ident.id) {
                throw Rejection(.patientIdWrong, "patient \(ident.type) \(problem)", subject: subject)
            }
        }
        guard patient.personalIdent != nil else {
            throw Rejection(.patientIdMissing, "Patient has no fødselsnummer, D-nummer or H-nummer", subject: subject)
        }
        guard patient.hasName else {
            throw Rejection(.patientNameMissing, "Patient has neither FamilyName nor GivenName", subject: subject)
        }
    }

    static func check(_ appRec: AppRec) throws(Rejection) {
        let subject = Rejection.Subject.appRec(appRec)
        guard let status = appRec.status else {
            throw Rejection(
                .other, "AppRec Status '\(appRec.statusCode)' is not in code list 8258 (1, 2 or 3)", subject: subject)
        }
        if status == .rejected && appRec.errors.isEmpty {
            throw Rejection(.other, "AppRec with Status 2 (Avvist) carries no Error", subject: subject)
        }
        guard !appRec.originalMsgId.id.isEmpty else {
            throw Rejection(.invalidMessageId, "AppRec OriginalMsgId/Id is empty", subject: subject)
        }
    }

    /// What makes a message unsupported (T10), checked on the raw tree before schema validation so
    /// that an unknown version is reported as such rather than as a schema error.
    static func checkSupported(_ root: XMLElementView) throws(Rejection) {
        if root.isNamed("MsgHead", namespace: KITHNamespace.msgHead) {
            let info = root.child("MsgInfo")
            if let version = info?.childText("MIGversion"), version != MsgHead.migVersion {
                throw Rejection(
                    .unsupportedFormat,
                    "MsgHead MIGversion '\(version)' is not supported (expected '\(MsgHead.migVersion)')",
                    line: info?.child("MIGversion")?.line, subject: .msgHead(MsgHead(root)))
            }
            if let type = info?.child("Type"), let code = type.attribute("V"), !supportedTypes.contains(code) {
                throw Rejection(
                    .unsupportedFormat, "message type '\(code)' is not supported", line: type.line,
                    subject: .msgHead(MsgHead(root)))
            }
            let payload = root.children("Document").first {
                $0.child("RefDoc")?.child("MsgType")?.attribute("V") == "XML"
            }
            if let content = payload?.child("RefDoc")?.child("Content")?.elements.first,
                Dialogmelding.Version(namespace: content.namespaceURI) == nil || content.name != "Dialogmelding"
            {
                throw Rejection(
                    .unsupportedFormat,
                    "payload {\(content.namespaceURI ?? "")}\(content.name) is not a supported Dialogmelding",
                    line: content.line, subject: .msgHead(MsgHead(root)))
            }
        } else if let version = AppRec.Version(namespace: root.namespaceURI), root.name == "AppRec" {
            // The namespace fixes the version; real 1.0 receipts carry MIGversion dates other than the
            // standard's (e.g. "1.0 2008-11-21"), so only the version number is held to it.
            if let mig = root.child("MIGversion"), !version.acceptsMIGversion(mig.text) {
                throw Rejection(
                    .unsupportedFormat,
                    "AppRec MIGversion '\(mig.text)' is not supported (expected '\(version.migVersion)')",
                    line: mig.line)
            }
        } else {
            throw Rejection(
                .unsupportedFormat, "root element {\(root.namespaceURI ?? "")}\(root.name) is not a supported message",
                line: root.line)
        }
    }
}
