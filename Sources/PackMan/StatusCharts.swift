/// The status page's small charts, as inline SVG (no script, no external file): bars per hour
/// (stacked series) and a line of samples against a limit. Each chart has a title and an
/// accessible description; values are scaled to the chart's own maximum.
enum StatusCharts {
    static let width = 480, height = 90

    /// One stacked series of bars.
    struct Series {
        var label: String
        var color: String
        var values: [Double]
    }

    /// Bars per slot (e.g. hours), the series stacked in order; `caption` says what the
    /// largest bar is worth (e.g. "max 12 jobs/h").
    static func bars(title: String, series: [Series], caption: (Double) -> String) -> String {
        let slots = series.map(\.values.count).max() ?? 0
        let totals = (0..<slots).map { slot in series.reduce(0) { $0 + ($1.values.indices.contains(slot) ? max(0, $1.values[slot]) : 0) } }
        let top = totals.max() ?? 0
        let slotWidth = slots > 0 ? Double(width) / Double(slots) : 0
        var svg = header(title: title, description: "\(series.map(\.label).joined(separator: ", ")) per hour, \(caption(top))")
        if top > 0 {
            for slot in 0..<slots {
                var base = Double(height)
                for entry in series where entry.values.indices.contains(slot) && entry.values[slot] > 0 {
                    let barHeight = entry.values[slot] / top * Double(height - 4)
                    base -= barHeight
                    svg +=
                        "<rect x=\"\(format(Double(slot) * slotWidth + 1))\" y=\"\(format(base))\" width=\"\(format(max(1, slotWidth - 2)))\" "
                        + "height=\"\(format(barHeight))\" fill=\"\(entry.color)\"><title>\(escape(entry.label)): \(format(entry.values[slot]))</title></rect>"
                }
            }
        }
        return svg + footer(legend: series.map { ($0.label, $0.color) }, caption: caption(top))
    }

    /// A line through `points` (x and y in any units: scaled to the chart) and, when given, a
    /// dashed line at `limit` (a budget).
    static func line(title: String, points: [(x: Double, y: Double)], limit: Double?, caption: (Double) -> String) -> String {
        let top = max(points.map(\.y).max() ?? 0, limit ?? 0)
        var svg = header(title: title, description: caption(top))
        if let first = points.first, let last = points.last, top > 0 {
            let span = max(last.x - first.x, 1)
            func y(_ value: Double) -> String { format(Double(height) - value / top * Double(height - 4)) }
            let path = points.map { "\(format(($0.x - first.x) / span * Double(width))),\(y($0.y))" }.joined(separator: " ")
            svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"#3a7\" stroke-width=\"2\"/>"
            if let limit {
                svg += "<line x1=\"0\" x2=\"\(width)\" y1=\"\(y(limit))\" y2=\"\(y(limit))\" stroke=\"#b00020\" stroke-dasharray=\"4 3\"/>"
            }
        }
        return svg + footer(legend: [("use", "#3a7")] + (limit == nil ? [] : [("budget", "#b00020")]), caption: caption(top))
    }

    private static func header(title: String, description: String) -> String {
        "<figure class=\"chart\"><figcaption>\(escape(title))</figcaption>"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">"
            + "<title>\(escape(title))</title><desc>\(escape(description))</desc>"
            + "<rect width=\"\(width)\" height=\"\(height)\" fill=\"#f6f6f6\"/>"
    }

    private static func footer(legend: [(String, String)], caption: String) -> String {
        "</svg><div class=\"legend\">" + legend.map { "<span style=\"color:\($0.1)\">■</span> \(escape($0.0))" }.joined(separator: " ")
            + " · \(escape(caption))</div></figure>\n"
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static func escape(_ text: String) -> String { PackManDaemon.escape(text) }
}
