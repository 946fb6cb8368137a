extension DueWorklist {
    /// One self-contained page (no scripts, no external files): a table per kommune, overdue first,
    /// readable at phone width (the table scrolls sideways inside its box) and in print.
    public var html: String {
        var body = "<h1>\(Self.e(heading))</h1>\n<p class=\"sum\">\(overdue) forfalt · \(open) med åpent vindu</p>\n"
        var groups: [(kommune: String?, lines: [Line])] = []
        for line in lines {
            if let last = groups.last, last.kommune == line.item.kommune {
                groups[groups.count - 1].lines.append(line)
            } else {
                groups.append((line.item.kommune, [line]))
            }
        }
        if groups.isEmpty { body += "<p>Ingen pasienter med åpent eller passert vindu.</p>\n" }
        for group in groups { body += table(group.kommune, group.lines) }
        return """
            <!DOCTYPE html>
            <html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.e(heading))</title><style>\(Self.css)</style></head><body>
            \(body)<p class="meta">Pasienter vises som pseudonym\(lines.contains { $0.identity != nil } ? "; identiteter vist etter eget valg (logget)" : "").</p>
            </body></html>

            """
    }

    private func table(_ kommune: String?, _ lines: [Line]) -> String {
        var html = "<h2>\(Self.e(place(kommune, pathway: lines[0].item.pathway)))</h2>\n<div class=\"scroll\"><table>\n"
        html +=
            "<tr><th>Status</th><th>Punkt</th><th>Vindu</th><th>Dager</th><th>Pasient</th><th>Ankerdato</th><th>Sykehus</th><th>Merknader</th></tr>\n"
        for line in lines {
            let item = line.item
            let cells = [
                Self.state(item.state), Self.event(item.event),
                "\(item.windowOpens.norwegian)–\(item.windowCloses.norwegian)",
                Self.timing(item), item.patient + (line.identity.map { "\n" + Self.identity($0) } ?? ""),
                Self.anchor(item),
                item.hospital ?? "", item.flags.map(Self.flag).joined(separator: ", "),
            ]
            html +=
                "<tr class=\"\(item.state == .overdue ? "overdue" : "open")\">"
                + cells.map { "<td>\(Self.e($0).replacingOccurrences(of: "\n", with: "<br>"))</td>" }.joined()
                + "</tr>\n"
        }
        return html + "</table></div>\n"
    }

    private static func e(_ text: String) -> String { text.xmlEscapedText }

    /// Overdue rows are marked by a bar and bold text as well as colour (colour-blind readers, print).
    static let css = """
        body{font-family:system-ui,sans-serif;margin:1rem;color:#111;max-width:70rem}h1{font-size:1.3rem}
        h2{font-size:1.1rem;margin-top:1.5rem}.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.9rem}
        th,td{border-bottom:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
        tr.overdue td:first-child{border-left:.4rem solid #D55E00;font-weight:bold}tr.open td:first-child{border-left:.4rem solid #0072B2}
        .sum{font-weight:bold}.meta{color:#444;font-size:.85rem}td:nth-child(5){font-family:monospace;word-break:break-all}
        @media print{.scroll{overflow:visible}}
        """
}
