import Testing
@testable import Torrents

@Suite struct BencodeTests {
    func parse(_ text: String) throws(TorrentError) -> BencodeValue {
        var parser = BencodeParser(Array(text.utf8))
        return try parser.parse()
    }

    @Test func readsEveryKind() throws {
        let value = try parse("d3:agei-42e4:listl1:ai7ee4:name3:fooe")
        #expect(value["age"] == .integer(-42))
        #expect(value["name"]?.string == "foo")
        #expect(value["list"] == .list([.bytes(Array("a".utf8)), .integer(7)]))
        #expect(value.encoded == Array("d3:agei-42e4:listl1:ai7ee4:name3:fooe".utf8))
    }

    @Test func remembersTheInfoDictionaryBytes() throws {
        let text = "d8:announce3:abc4:infod4:name1:xee"
        var parser = BencodeParser(Array(text.utf8))
        _ = try parser.parse()
        let range = try #require(parser.infoRange)
        #expect(String(decoding: Array(text.utf8)[range], as: UTF8.self) == "d4:name1:xe")
    }

    @Test(arguments: [
        ("", "a value"), ("i12", "'e'"), ("i-0e", "a canonical integer"), ("i03e", "a canonical integer"), ("ie", "a digit"),
        ("5:abc", "a string length within the input"), ("d1:bi1e1:ai2ee", "keys in strictly increasing order"),
        ("d1:ai1e1:ai2ee", "keys in strictly increasing order"), ("di1ei2ee", "a byte-string dictionary key"), ("l", "a list item or 'e'"),
        ("i1ei2e", "the end of the input"), ("x", "'i', 'l', 'd' or a digit"), ("i99999999999999999999e", "a 64-bit integer"),
        ("03:abc", "a canonical integer")
    ])
    func refusesMalformedInput(text: String, expected: String) {
        #expect {
            try parse(text)
        } throws: { error in
            guard case let TorrentError.bencode(_, got, _) = error else { return false }
            return got == expected
        }
    }

    @Test func refusesDeepNesting() {
        let text = String(repeating: "l", count: 100) + String(repeating: "e", count: 100)
        #expect(throws: TorrentError.self) { try parse(text) }
    }
}
