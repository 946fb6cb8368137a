import Foundation

/// One audit record as read back from the log (spec §6 fields plus `refMsgId`), with where it
/// was found so a problem can be named as FILE:LINE.
public struct AuditRecord: Sendable, Hashable {
    public var seq: Int
    var ts: String
    var event: String
    var partner: String?
    var file: String?
    var msgId: String?
    var refMsgId: String?
    var msgType: String?
    var sender: String?
    var receiver: String?
    var kommune: String?
    var pathwayEvent: String?
    var outcome: String?
    var errors: [String]
    var warnings: [String]
    var routedTo: [String]
    var security: Bool
    /// The keyed pseudonym (`p-…`), never an identity number.
    var patient: String?
    var sha256: String?
    /// The gateway's id for the inbound message the record belongs to (nil for `recovered`).
    var gatewayId: String?
    var prev: String
    var hash: String
    var location: Location

    /// Where a record (or a problem) is: file path and 1-based line.
    public struct Location: Sendable, Hashable, CustomStringConvertible {
        var path: String
        var line: Int
        public var description: String { "\(path):\(line)" }
    }

    /// Why a line is not a record.
    enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        case notJSON
        case missingField(String)
        var description: String {
            switch self {
            case .notJSON: "not a JSON object"
            case let .missingField(name): "no valid \"\(name)\" field"
            }
        }
    }

    /// Parses one line (with or without its seal intact: the hash is taken as written).
    init(line: some Collection<UInt8>, location: Location) throws(ParseError) {
        guard let object = AuditJSON.decode(line) else { throw .notJSON }
        func text(_ key: String) -> String? { if case let .string(value)? = object[key] { value } else { nil } }
        func list(_ key: String) -> [String] { if case let .strings(value)? = object[key] { value } else { [] } }
        guard case let .integer(seq)? = object["seq"] else { throw .missingField("seq") }
        guard let prev = text("prev") else { throw .missingField("prev") }
        guard let hash = text("hash") else { throw .missingField("hash") }
        guard let event = text("event") else { throw .missingField("event") }
        self.seq = seq
        self.prev = prev
        self.hash = hash
        self.event = event
        self.location = location
        ts = text("ts") ?? ""
        partner = text("partner")
        file = text("file")
        msgId = text("msgId")
        refMsgId = text("refMsgId")
        msgType = text("msgType")
        sender = text("sender")
        receiver = text("receiver")
        kommune = text("kommune")
        pathwayEvent = text("pathwayEvent")
        outcome = text("outcome")
        patient = text("patient")
        sha256 = text("sha256")
        gatewayId = text("gatewayId")
        errors = list("errors")
        warnings = list("warnings")
        routedTo = list("routedTo")
        if case let .bool(flag)? = object["security"] { security = flag } else { security = false }
    }

    /// The record's time, parsed from `ts` (RFC 3339 with milliseconds, UTC).
    var date: Date? { AuditLog.date(fromTimestamp: ts) }
}
