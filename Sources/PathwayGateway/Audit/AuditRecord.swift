import Foundation

/// One audit record as read back from the log (spec §6 fields plus `refMsgId`), with where it
/// was found so a problem can be named as FILE:LINE.
public struct AuditRecord: Sendable, Hashable {
    public var seq: Int
    public var ts: String
    public var event: String
    public var partner: String?
    public var file: String?
    public var msgId: String?
    public var refMsgId: String?
    public var msgType: String?
    public var sender: String?
    public var receiver: String?
    public var kommune: String?
    public var pathwayEvent: String?
    public var outcome: String?
    public var errors: [String]
    public var warnings: [String]
    public var routedTo: [String]
    public var security: Bool
    /// The keyed pseudonym (`p-…`), never an identity number.
    public var patient: String?
    public var sha256: String?
    /// The gateway's id for the inbound message the record belongs to (nil for `recovered`).
    public var gatewayId: String?
    public var prev: String
    public var hash: String
    public var location: Location

    /// Where a record (or a problem) is: file path and 1-based line.
    public struct Location: Sendable, Hashable, CustomStringConvertible {
        public var path: String
        public var line: Int
        public var description: String { "\(path):\(line)" }
    }

    /// Why a line is not a record.
    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        case notJSON
        case missingField(String)
        public var description: String {
            switch self {
            case .notJSON: "not a JSON object"
            case let .missingField(name): "no valid \"\(name)\" field"
            }
        }
    }

    /// Parses one line (with or without its seal intact: the hash is taken as written).
    public init(line: some Collection<UInt8>, location: Location) throws(ParseError) {
        guard let object = AuditJSON.decode(line) else { throw .notJSON }
        func text(_ key: String) -> String? { if case let .string(value)? = object[key] { value } else { nil } }
        func list(_ key: String) -> [String] { if case let .strings(value)? = object[key] { value } else { [] } }
        guard case let .integer(seq)? = object["seq"] else { throw .missingField("seq") }
        guard let prev = text("prev") else { throw .missingField("prev") }
        guard let hash = text("hash") else { throw .missingField("hash") }
        guard let event = text("event") else { throw .missingField("event") }
        self.seq = seq; self.prev = prev; self.hash = hash; self.event = event; self.location = location
        ts = text("ts") ?? ""
        partner = text("partner"); file = text("file"); msgId = text("msgId"); refMsgId = text("refMsgId")
        msgType = text("msgType"); sender = text("sender"); receiver = text("receiver"); kommune = text("kommune")
        pathwayEvent = text("pathwayEvent"); outcome = text("outcome"); patient = text("patient"); sha256 = text("sha256")
        gatewayId = text("gatewayId")
        errors = list("errors"); warnings = list("warnings"); routedTo = list("routedTo")
        if case let .bool(flag)? = object["security"] { security = flag } else { security = false }
    }

    /// The record's time, parsed from `ts` (RFC 3339 with milliseconds, UTC).
    public var date: Date? { AuditLog.date(fromTimestamp: ts) }
}
