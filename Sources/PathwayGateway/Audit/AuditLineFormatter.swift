import Foundation

/// One human-readable line per audit record for `audit tail`, `show` and `find`:
///
///     2026-11-23 11:15:00+01:00 #42 received     accepted        helse-bergen     7d3e0c1a-sp1-0001  p-1a2b3c4d
///
/// Time is Norwegian local time (Europe/Oslo, with its UTC offset, so the DST change is never
/// ambiguous) — what an operator in Norway compares with; UTC when the system has no time-zone
/// data. The patient is shown as the first 8 hex digits of the pseudonym: enough to follow one
/// patient on a screen, never an identity. Colour (ANSI) only when asked, i.e. on a terminal.
/// Not thread-safe (it owns a date formatter): one per command.
public final class AuditLineFormatter {
    let colour: Bool
    let timeZone: TimeZone
    private let printer: DateFormatter

    /// Colour on a terminal unless `NO_COLOR` is set to a non-empty value: no-color.org says an
    /// empty `NO_COLOR=` does not count (shells leave it so after `NO_COLOR= cmd`).
    public static func colourWanted(isTerminal: Bool, environment: [String: String]) -> Bool {
        isTerminal && (environment["NO_COLOR"] ?? "").isEmpty
    }

    public init(colour: Bool, timeZone: TimeZone? = TimeZone(identifier: "Europe/Oslo")) {
        self.colour = colour
        self.timeZone = timeZone ?? TimeZone(identifier: "UTC")!
        printer = DateFormatter()
        printer.locale = Locale(identifier: "en_US_POSIX")
        printer.timeZone = self.timeZone
        printer.dateFormat = "yyyy-MM-dd HH:mm:ssxxx"
    }

    /// The one-line summary.
    public func line(_ record: AuditRecord) -> String {
        let time = Timestamp.date(rfc3339: record.ts).map(printer.string(from:)) ?? record.ts
        var parts = [
            paint(time, "2"), paint("#\(record.seq)", "2"), pad(record.event, 12),
            paint(pad(record.outcome ?? "-", 15), outcomeColour(record)), pad(record.partner ?? "-", 18),
            record.msgId ?? "-",
        ]
        if let ref = record.refMsgId { parts.append("(re \(ref))") }
        if let patient = record.patient { parts.append(String(patient.prefix(10))) }
        if record.security { parts.append(paint("SECURITY", "1;31")) }
        if let first = record.errors.first { parts.append(paint(String(first.prefix(80)), "31")) }
        return parts.joined(separator: " ")
    }

    /// The summary plus indented detail lines (file, routing, every error and warning) for `show`.
    public func detailed(_ record: AuditRecord) -> String {
        var lines = [line(record)]
        if let file = record.file { lines.append("    file: \(file)") }
        if let type = record.msgType {
            lines.append("    type: \(type)" + (record.pathwayEvent.map { ", event \($0)" } ?? ""))
        }
        lines += record.routedTo.map { "    routed to: \($0)" }
        lines += record.errors.map { "    error: \($0)" }
        lines += record.warnings.map { "    warning: \($0)" }
        return lines.joined(separator: "\n")
    }

    private func outcomeColour(_ record: AuditRecord) -> String {
        switch record.outcome {
        case "accepted", "1": "32"
        case "rejected", "2": "31"
        case "duplicate", "3": "33"
        case "apprec-received": "36"
        default: "0"
        }
    }

    private func paint(_ text: String, _ code: String) -> String {
        colour && code != "0" ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
