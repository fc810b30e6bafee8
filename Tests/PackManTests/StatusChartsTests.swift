import Foundation
import Testing
@testable import PackMan

@Suite struct StatusChartsTests {
    private func rects(_ svg: String) -> [(y: Double, height: Double, title: String)] {
        svg.components(separatedBy: "<rect x=").dropFirst().map { part in
            func number(_ name: String) -> Double {
                let start = part.range(of: name + "=\"")!.upperBound
                return Double(part[start...].prefix { $0 != "\"" })!
            }
            let title = part.range(of: "<title>").map { String(part[$0.upperBound...].prefix { $0 != "<" }) } ?? ""
            return (number("y"), number("height"), title)
        }
    }

    /// Stacked bars scaled to the tallest slot; nothing drawn for zeros; labels escaped.
    @Test func barsStackSeriesAndScaleToTheTallestSlot() {
        let svg = StatusCharts.bars(
            title: "Jobs <finished>",
            series: [
                .init(label: "succeeded", color: "#3a7", values: [0, 3, 1]),
                .init(label: "failed", color: "#b00020", values: [0, 1, 0])
            ]
        ) { "max \(StatusCharts.format($0)) jobs/h" }
        #expect(svg.contains("<title>Jobs &lt;finished&gt;</title>") && svg.contains("max 4 jobs/h"))
        let bars = rects(svg)
        #expect(bars.map(\.title) == ["succeeded: 3", "failed: 1", "succeeded: 1"])
        let full = Double(StatusCharts.height - 4)
        #expect(bars[0].height + bars[1].height == full, "the tallest slot fills the chart")
        #expect(bars[1].y + bars[1].height == bars[0].y, "failed sits on succeeded")
        #expect(bars[2].height == full / 4)
        let empty = StatusCharts.bars(title: "t", series: [.init(label: "a", color: "#000", values: [0, 0])]) { _ in "none" }
        #expect(rects(empty).isEmpty)
    }

    @Test func aLineOfSamplesAgainstItsLimit() {
        let svg = StatusCharts.line(title: "Disk use", points: [(0, 10), (100, 50)], limit: 100) { "max \(StatusCharts.format($0))" }
        // y grows downwards: 10 of 100 sits a tenth of the drawable height above the bottom.
        let drawable = Double(StatusCharts.height - 4), bottom = Double(StatusCharts.height)
        let expected = "0,\(StatusCharts.format(bottom - drawable / 10)) \(StatusCharts.width),\(StatusCharts.format(bottom - drawable / 2))"
        #expect(svg.contains("<polyline points=\"\(expected)\""), "\(svg)")
        #expect(svg.contains("stroke-dasharray") && svg.contains("max 100"))
        #expect(!StatusCharts.line(title: "t", points: [], limit: nil) { _ in "none" }.contains("<polyline"))
    }
}
