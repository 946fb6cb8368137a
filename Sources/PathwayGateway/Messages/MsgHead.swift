/// A decoded MsgHead (Hodemelding v1.2): the envelope every business message travels in.
struct MsgHead: Sendable, Hashable, Codable {
    static let migVersion = "v1.2 2006-05-24"

    /// Message function (code list 8279), e.g. `DIALOG_HELSEFAGLIG`.
    var type: CodedValue
    var migVersion: String
    /// As sent (xs:dateTime, with or without zone); echoed unchanged in an AppRec's IssueDate.
    var genDate: String
    /// The sender's unique id; with the sender HER-id it is the key for duplicate detection.
    var msgId: String
    var ack: String?
    var conversationRef: ConversationRef?
    var sender: Organisation
    var receiver: Organisation
    var patient: Patient?
    var documents: [MessageDocument]
    /// The Dialogmelding payload, when the first XML document carries one.
    var dialogmelding: Dialogmelding?

    var typeCode: String { type.v ?? "" }

    /// The first Document whose `RefDoc/MsgType` is `XML`.
    var payload: MessageDocument? { documents.first { $0.kind == .payload } }
    var attachments: [MessageDocument] { documents.filter { $0.kind == .attachment } }

    init(_ root: XMLElementView) {
        let info = root.child("MsgInfo")
        type = CodedValue(info?.child("Type")) ?? CodedValue()
        migVersion = info?.childText("MIGversion") ?? ""
        genDate = info?.childText("GenDate") ?? ""
        msgId = info?.childText("MsgId") ?? ""
        ack = info?.child("Ack")?.attribute("V")
        conversationRef = info?.child("ConversationRef").map(ConversationRef.init)
        sender =
            info?.child("Sender")?.child("Organisation").map(Organisation.init) ?? Organisation(name: "", idents: [])
        receiver =
            info?.child("Receiver")?.child("Organisation").map(Organisation.init) ?? Organisation(name: "", idents: [])
        patient = info?.child("Patient").map(Patient.init)
        let documentElements = root.children("Document")
        documents = documentElements.map(MessageDocument.init)
        let payloadElement = documentElements.first { $0.child("RefDoc")?.child("MsgType")?.attribute("V") == "XML" }
        dialogmelding = payloadElement?.child("RefDoc")?.child("Content")?.elements.first.flatMap(Dialogmelding.init)
    }
}

/// Links a message to the one it answers and to its conversation.
public struct ConversationRef: Sendable, Hashable, Codable {
    var refToParent: String
    var refToConversation: String

    init(refToParent: String, refToConversation: String) {
        self.refToParent = refToParent
        self.refToConversation = refToConversation
    }

    init(_ element: XMLElementView) {
        refToParent = element.childText("RefToParent") ?? ""
        refToConversation = element.childText("RefToConversation") ?? ""
    }
}
