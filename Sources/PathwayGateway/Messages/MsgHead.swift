/// A decoded MsgHead (Hodemelding v1.2): the envelope every business message travels in.
public struct MsgHead: Sendable, Hashable, Codable {
    public static let migVersion = "v1.2 2006-05-24"

    /// Message function (code list 8279), e.g. `DIALOG_HELSEFAGLIG`.
    public var type: CodedValue
    public var migVersion: String
    /// As sent (xs:dateTime, with or without zone); echoed unchanged in an AppRec's IssueDate.
    public var genDate: String
    /// The sender's unique id; with the sender HER-id it is the key for duplicate detection.
    public var msgId: String
    public var ack: String?
    public var conversationRef: ConversationRef?
    public var sender: Organisation
    public var receiver: Organisation
    public var patient: Patient?
    public var documents: [MessageDocument]
    /// The Dialogmelding payload, when the first XML document carries one.
    public var dialogmelding: Dialogmelding?

    public var typeCode: String { type.v ?? "" }

    /// The first Document whose `RefDoc/MsgType` is `XML`.
    public var payload: MessageDocument? { documents.first { $0.kind == .payload } }
    public var attachments: [MessageDocument] { documents.filter { $0.kind == .attachment } }

    init(_ root: XMLElementView) {
        let info = root.child("MsgInfo")
        type = CodedValue(info?.child("Type")) ?? CodedValue()
        migVersion = info?.childText("MIGversion") ?? ""
        genDate = info?.childText("GenDate") ?? ""
        msgId = info?.childText("MsgId") ?? ""
        ack = info?.child("Ack")?.attribute("V")
        conversationRef = info?.child("ConversationRef").map(ConversationRef.init)
        sender = info?.child("Sender")?.child("Organisation").map(Organisation.init) ?? Organisation(name: "", idents: [])
        receiver = info?.child("Receiver")?.child("Organisation").map(Organisation.init) ?? Organisation(name: "", idents: [])
        patient = info?.child("Patient").map(Patient.init)
        let documentElements = root.children("Document")
        documents = documentElements.map(MessageDocument.init)
        let payloadElement = documentElements.first { $0.child("RefDoc")?.child("MsgType")?.attribute("V") == "XML" }
        dialogmelding = payloadElement?.child("RefDoc")?.child("Content")?.elements.first.flatMap(Dialogmelding.init)
    }
}

/// Links a message to the one it answers and to its conversation.
public struct ConversationRef: Sendable, Hashable, Codable {
    public var refToParent: String
    public var refToConversation: String

    public init(refToParent: String, refToConversation: String) {
        self.refToParent = refToParent
        self.refToConversation = refToConversation
    }

    init(_ element: XMLElementView) {
        refToParent = element.childText("RefToParent") ?? ""
        refToConversation = element.childText("RefToConversation") ?? ""
    }
}
