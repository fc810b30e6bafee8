import Testing
import Basics

@Suite struct ByteCountTextTests {
    static let cases: [(Int64, String)] = [
        (0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"), (10_792_960, "10.3 MiB"),
        (3_221_225_472, "3.0 GiB"), (5_629_499_534_213_120, "5120.0 TiB"), (-5, "0 B")
    ]

    @Test(arguments: cases)
    func formats(bytes: Int64, text: String) {
        #expect(ByteCountText.format(bytes) == text)
    }

    @Test func unsignedAndSignedAgree() {
        for bytes: Int64 in [0, 1, 999, 4096, 123_456_789, 1 << 40] {
            #expect(ByteCountText.format(bytes) == ByteCountText.format(UInt64(bytes)))
        }
        #expect(ByteCountText.format(UInt64.max).hasSuffix(" TiB"))
    }

    @Test func roundsToOneDecimal() {
        // 1.96 KiB → 2.0, not 1.10 or 1.9.
        #expect(ByteCountText.format(Int64(2007)) == "2.0 KiB")
        #expect(ByteCountText.format(Int64(1_048_575)) == "1024.0 KiB")
    }
}
