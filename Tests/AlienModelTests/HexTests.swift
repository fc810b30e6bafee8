import AlienModel
import Testing

struct HexTests {
    @Test func twoLowerCaseDigitsPerByteInOrder() {
        #expect(Hex.lowercase([UInt8]()) == "")
        #expect(Hex.lowercase([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        let all = (0...255).map { UInt8($0) }
        let text = Hex.lowercase(all)
        #expect(text.count == 512)
        for byte in all {
            let start = text.index(text.startIndex, offsetBy: Int(byte) * 2)
            #expect(UInt8(text[start..<text.index(start, offsetBy: 2)], radix: 16) == byte)
        }
        #expect(text.allSatisfy { "0123456789abcdef".contains($0) })
        // A sequence that does not know its length.
        #expect(Hex.lowercase(sequence(first: UInt8(1)) { $0 < 3 ? $0 + 1 : nil }) == "010203")
    }

    @Test func decodesEitherCaseAndRefusesWhatIsNotHex() {
        let all = (0...255).map { UInt8($0) }
        #expect(Hex.decode(Hex.lowercase(all)) == all)
        #expect(Hex.decode("00FFa0") == [0x00, 0xff, 0xa0])
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("abc") == nil, "odd length")
        #expect(Hex.decode("0g") == nil)
        #expect(Hex.decode("+f") == nil, "a sign is not a digit")
        #expect(Hex.decode("é1") == nil)
    }
}
