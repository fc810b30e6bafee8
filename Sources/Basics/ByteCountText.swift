/// Sizes for people: "512 B", "12.3 MiB" (binary units, one decimal, no Foundation).
public enum ByteCountText {
    private static let units = ["B", "KiB", "MiB", "GiB", "TiB"]

    /// "0 B" for negative counts.
    public static func format(_ bytes: Int64) -> String {
        format(UInt64(max(0, bytes)))
    }

    public static func format(_ bytes: UInt64) -> String {
        var value = Double(bytes), unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let tenths = UInt64((value * 10).rounded(.toNearestOrEven))
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
