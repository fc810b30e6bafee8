import JDL
import Testing

@Suite struct JDLValueTests {
    @Test(arguments: ["0", "42", "-1", "+3", "1.5", "2e10", "-4.25E-3", "7e+2"])
    func numbers(text: String) {
        #expect(JDLValue.isNumber(text))
    }

    @Test(arguments: ["", "-", "1.", ".5", "1e", "0x10", "1 2", "12a", "e5"])
    func notNumbers(text: String) {
        #expect(!JDLValue.isNumber(text))
    }

    @Test func strings() {
        #expect(JDLValue.string("a").strings == ["a"])
        #expect(JDLValue.list([.string("a"), .string("b")]).strings == ["a", "b"])
        #expect(JDLValue.list([.string("a"), .number("1")]).strings == nil)
        #expect(JDLValue.number("1").strings == nil)
        #expect(JDLValue.string("a").stringValue == "a")
        #expect(JDLValue.boolean(true).stringValue == nil)
    }

    @Test func kindDescriptions() {
        #expect(JDLValue.number("4").kindDescription == "a number (4)")
        #expect(JDLValue.list([]).kindDescription == "a list")
        #expect(JDLValue.expression("f(x)").kindDescription == "an expression (f(x))")
    }

    @Test func attributeNames() throws {
        #expect(JDLAttribute.isValidName("_a.b9"))
        #expect(!JDLAttribute.isValidName("9a"))
        #expect(!JDLAttribute.isValidName(""))
        #expect(!JDLAttribute.isValidName("a-b"))
        let attribute = try JDLAttribute(name: "TTL", value: .number("5"))
        #expect(attribute.key == "ttl")
        #expect(attribute.description == "TTL = 5;")
    }

    @Test func warningDescription() {
        #expect(
            JDLWarning.duplicateAttribute(name: "TTL", firstLine: 1, secondLine: 4).description
                == "4: 'TTL' is set again (first at line 1); the value at line 4 is used")
    }
}
