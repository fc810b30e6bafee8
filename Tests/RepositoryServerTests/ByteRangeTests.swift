import Testing
@testable import RepositoryServer

@Suite struct ByteRangeTests {
    @Test func singleRanges() {
        #expect(ByteRange(header: "bytes=0-9", size: 100) == .partial(lower: 0, upper: 9))
        #expect(ByteRange(header: "bytes=90-", size: 100) == .partial(lower: 90, upper: 99))
        #expect(ByteRange(header: "bytes=-10", size: 100) == .partial(lower: 90, upper: 99))
        #expect(ByteRange(header: "bytes=50-500", size: 100) == .partial(lower: 50, upper: 99))
        #expect(ByteRange(header: " bytes=5 - 6 ", size: 100) == .partial(lower: 5, upper: 6))
    }

    @Test func suffixLongerThanTheFileSelectsAllOfIt() {
        #expect(ByteRange(header: "bytes=-1000", size: 100) == .partial(lower: 0, upper: 99))
    }

    @Test func unsatisfiable() {
        #expect(ByteRange(header: "bytes=100-", size: 100) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=100-200", size: 100) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=-0", size: 100) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=99999999999999999999999-", size: 100) == .unsatisfiable)
    }

    @Test(arguments: [nil, "items=0-1", "bytes=0-1,5-6", "bytes=abc", "bytes=5-1", "bytes=-", "bytes=1-x"])
    func anythingElseIsIgnored(_ header: String?) {
        #expect(ByteRange(header: header, size: 100) == .whole)
    }
}
