import Foundation

/// Small inline SVG charts for the HTML report: no scripts, no external files, readable when
/// printed. Sizes are in CSS pixels; the SVG scales with its container (viewBox).
enum SVGChart {
    struct Series {
        var name: String
        var color: String
        /// A texture over the colour, so segments whose colours come close in grey (print) or for
        /// a colour-blind reader stay apart: `.stripes` (diagonal) or `.dots`.
        var texture: Texture? = nil
    }

    enum Texture: String { case stripes, dots }

    struct BarRow {
        var label: String
        /// One value per series.
        var values: [Int]
        /// Text after the bar (e.g. "n = 41").
        var note: String
    }

    /// Horizontal 100 % stacked bars, one per row, with a legend on top. Segments wide enough get
    /// their count written in; rows with no values get an empty track.
    static func stackedBars(_ rows: [BarRow], series: [Series], width: Int = 1020, title: String) -> String {
        let labelWidth = 215
        let noteWidth = 215
        let rowHeight = 26
        let barWidth = Double(width - labelWidth - noteWidth - 10)
        let (legendSVG, legendLines) = legend(
            series, width: width - 20, x: 20,
            prefix: "t"
                + String(
                    title.unicodeScalars.filter {
                        $0.properties.isAlphabetic || ("0"..."9").contains($0)
                    }.map(Character.init)))
        let legendHeight = legendLines * 20 + 8
        let height = legendHeight + rows.count * rowHeight + 8
        let prefix =
            "t"
            + String(
                title.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }.map(
                    Character.init))
        var svg = open(width: width, height: height, title: title) + textures(prefix) + legendSVG
        for (index, row) in rows.enumerated() {
            let y = legendHeight + index * rowHeight
            let label = row.label.count > 30 ? String(row.label.prefix(29)) + "…" : row.label
            svg +=
                "<g><title>\(escape(row.label))</title>"
                + text(label, x: Double(labelWidth - 8), y: Double(y) + 17, anchor: "end", cssClass: "label") + "</g>"
            svg +=
                "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(fmt(barWidth))\" height=\"\(rowHeight - 6)\" class=\"track\"/>"
            let total = row.values.reduce(0, +)
            var x = Double(labelWidth)
            for (value, s) in zip(row.values, series) where total > 0 && value > 0 {
                let w = barWidth * Double(value) / Double(total)
                svg +=
                    "<rect x=\"\(fmt(x))\" y=\"\(y + 3)\" width=\"\(fmt(w))\" height=\"\(rowHeight - 6)\" fill=\"\(s.color)\">"
                svg += "<title>\(escape(row.label)): \(escape(s.name)) \(value) av \(total)</title></rect>"
                if let texture = s.texture {
                    svg +=
                        "<rect x=\"\(fmt(x))\" y=\"\(y + 3)\" width=\"\(fmt(w))\" height=\"\(rowHeight - 6)\" "
                        + "fill=\"url(#\(prefix)-\(texture.rawValue))\" pointer-events=\"none\"/>"
                }
                if w >= 24 {
                    svg += text(
                        String(value), x: x + w / 2, y: Double(y) + 17, anchor: "middle",
                        cssClass: isDark(s.color) ? "seg dark" : "seg")
                }
                x += w
            }
            svg += text(
                row.note, x: Double(labelWidth) + barWidth + 8, y: Double(y) + 17, anchor: "start", cssClass: "note")
        }
        return svg + "</svg>"
    }

    /// Vertical bars of counts per bin of `binDays` days, with the window shaded.
    static func histogram(
        _ counts: [Int], binDays: Int, window: ClosedRange<Double>, windowLabel: String,
        xLabel: String, width: Int = 920, height: Int = 260, title: String
    ) -> String {
        let left = 48.0
        let right = 16.0
        let top = 18.0
        let bottom = 46.0
        let plotW = Double(width) - left - right
        let plotH = Double(height) - top - bottom
        let maxCount = max(1, counts.max() ?? 1)
        let step = niceStep(Double(maxCount) / 4)
        let yMax = (Double(maxCount) / step).rounded(.up) * step
        let days = Double(counts.count * binDays)
        let xScale = plotW / days
        var svg = open(width: width, height: height, title: title)
        let bandX = left + window.lowerBound * xScale
        let bandW = (window.upperBound - window.lowerBound) * xScale
        svg +=
            "<rect x=\"\(fmt(bandX))\" y=\"\(fmt(top))\" width=\"\(fmt(bandW))\" height=\"\(fmt(plotH))\" class=\"band\"/>"
        svg += text(windowLabel, x: bandX + bandW / 2, y: top + 12, anchor: "middle", cssClass: "bandlabel")
        for tick in stride(from: 0.0, through: yMax, by: step) {
            let y = top + plotH - tick / yMax * plotH
            svg +=
                "<line x1=\"\(fmt(left))\" x2=\"\(fmt(left + plotW))\" y1=\"\(fmt(y))\" y2=\"\(fmt(y))\" class=\"grid\"/>"
            svg += text(String(Int(tick)), x: left - 6, y: y + 4, anchor: "end", cssClass: "tick")
        }
        for (index, count) in counts.enumerated() where count > 0 {
            let h = Double(count) / yMax * plotH
            let x = left + Double(index * binDays) * xScale
            let last = index == counts.count - 1
            let range = last ? "\(index * binDays)+" : "\(index * binDays)–\((index + 1) * binDays - 1)"
            svg +=
                "<rect x=\"\(fmt(x + 1))\" y=\"\(fmt(top + plotH - h))\" width=\"\(fmt(max(1, Double(binDays) * xScale - 2)))\" "
            svg += "height=\"\(fmt(h))\" class=\"bar\"><title>\(range) dager: \(count)</title></rect>"
        }
        let tickDays = binDays == 7 ? 28 : 90
        for day in stride(from: 0, through: Int(days), by: tickDays) {
            let x = left + Double(day) * xScale
            svg +=
                "<line x1=\"\(fmt(x))\" x2=\"\(fmt(x))\" y1=\"\(fmt(top + plotH))\" y2=\"\(fmt(top + plotH + 4))\" class=\"axis\"/>"
            svg += text(String(day), x: x, y: top + plotH + 16, anchor: "middle", cssClass: "tick")
        }
        svg +=
            "<line x1=\"\(fmt(left))\" x2=\"\(fmt(left + plotW))\" y1=\"\(fmt(top + plotH))\" y2=\"\(fmt(top + plotH))\" class=\"axis\"/>"
        svg += text(xLabel, x: left + plotW / 2, y: Double(height) - 8, anchor: "middle", cssClass: "label")
        return svg + "</svg>"
    }

    // MARK: Pieces

    private static func open(width: Int, height: Int, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" role=\"img\" "
            + "aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
    }

    /// Legend entries left to right, wrapping onto a new line before `width` is exceeded (text
    /// width estimated at 6.2 px a character at the legend's 11.5 px); returns the lines used.
    private static func legend(_ series: [Series], width: Int, x: Int, prefix: String) -> (String, Int) {
        var out = ""
        var cursor = 0.0
        var line = 0
        for s in series {
            let itemWidth = 17 + Double(s.name.count) * 6.2 + 16
            if cursor > 0, cursor + itemWidth > Double(width) {
                cursor = 0
                line += 1
            }
            let (left, y) = (Double(x) + cursor, Double(14 + line * 20))
            out +=
                "<rect x=\"\(fmt(left))\" y=\"\(fmt(y - 9))\" width=\"12\" height=\"12\" fill=\"\(s.color)\" class=\"key\"/>"
            if let texture = s.texture {
                out +=
                    "<rect x=\"\(fmt(left))\" y=\"\(fmt(y - 9))\" width=\"12\" height=\"12\" fill=\"url(#\(prefix)-\(texture.rawValue))\"/>"
            }
            out += text(s.name, x: left + 17, y: y + 1, anchor: "start", cssClass: "legend")
            cursor += itemWidth
        }
        return (out, line + 1)
    }

    /// The textures, with ids unique to the chart (one page holds several charts).
    private static func textures(_ prefix: String) -> String {
        "<defs><pattern id=\"\(prefix)-stripes\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
            + "patternTransform=\"rotate(45)\"><rect width=\"2\" height=\"6\" fill=\"#000\" fill-opacity=\".35\"/></pattern>"
            + "<pattern id=\"\(prefix)-dots\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\">"
            + "<circle cx=\"2.5\" cy=\"2.5\" r=\"1\" fill=\"#000\" fill-opacity=\".45\"/></pattern></defs>"
    }

    private static func text(_ value: String, x: Double, y: Double, anchor: String, cssClass: String) -> String {
        "<text x=\"\(fmt(x))\" y=\"\(fmt(y))\" text-anchor=\"\(anchor)\" class=\"\(cssClass)\">\(escape(value))</text>"
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 1 else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down))
        return [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
    }

    /// Whether white text reads better than black on `color` (#rrggbb).
    static func isDark(_ color: String) -> Bool {
        let hex = color.dropFirst()
        guard hex.count == 6, let value = Int(hex, radix: 16) else { return false }
        let (r, g, b) = (Double(value >> 16 & 0xFF), Double(value >> 8 & 0xFF), Double(value & 0xFF))
        return 0.299 * r + 0.587 * g + 0.114 * b < 140
    }

    static func fmt(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static func escape(_ text: String) -> String { text.xmlEscapedAttribute }
}
