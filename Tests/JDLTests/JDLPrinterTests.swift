import JDL
import Testing
import TestSupport

/// Random JDL documents and a "messy" writer (comments, trailing commas, odd case, CRLF).
struct RandomJDL {
    var random: SeededGenerator

    static let names = [
        "Executable", "Arguments", "Packages", "InputFile", "InputData", "Split", "OutputDir",
        "OutputArchive", "Requirements", "TTL", "Price", "JDLVariables", "ValidationCommand",
        "_x", "a.b", "Energy2"
    ]
    static let expressions = [
        #"member(other.GridPartitions, "quickreco")"#, "other.TTL > 100 && (a || b)", #"f({1, 2}, "a;b")"#,
        "x.y", #""a" + "b""#, "-x", "a =?= b", "$2", "other.Run == $1", "[a; b]"
    ]
    static let pieces = [
        "a", "Z", " ", "\"", "\\", "#", "//", "/*", "*/", "$HOME", "$1", "\n", "\t", ";", "{", "}",
        ",", "é", "alien:///alice/cern.ch/", "#alien_counter_03i#", "\r"
    ]

    mutating func int(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }

    mutating func document() -> JDLDocument {
        var document = JDLDocument()
        for _ in 0..<int(8) {
            var name = Self.names[int(Self.names.count)]
            if int(3) == 0 { name = name.uppercased() }
            // Attribute names are always valid here.
            if let attribute = try? JDLAttribute(name: name, value: value(depth: 0)) { document.set(attribute) }
        }
        return document
    }

    mutating func value(depth: Int) -> JDLValue {
        switch int(depth < 2 ? 6 : 5) {
        case 0: return .string((0..<int(6)).map { _ in Self.pieces[int(Self.pieces.count)] }.joined())
        case 1: return .number(number())
        case 2: return .boolean(int(2) == 0)
        case 3: return .expression(Self.expressions[int(Self.expressions.count)])
        case 4: return .string("VO_ALICE@Pkg\(int(5))::v\(int(3))")
        default: return .list((0..<int(4)).map { _ in value(depth: depth + 1) })
        }
    }

    mutating func number() -> String {
        var text = int(4) == 0 ? "-" : ""
        text += String(int(100_000))
        if int(3) == 0 { text += "." + String(int(100)) }
        if int(4) == 0 { text += ["e", "E"][int(2)] + ["", "+", "-"][int(3)] + String(int(20)) }
        return text
    }

    mutating func messy(_ document: JDLDocument) -> String {
        let newline = int(2) == 0 ? "\n" : "\r\n"
        var text = int(2) == 0 ? "# generated\(newline)" : ""
        for (offset, attribute) in document.attributes.enumerated() {
            if int(4) == 0 { text += "// about \(attribute.name) $7\(newline)" }
            text += [" ", "\t", ""][int(3)] + attribute.name + [" = ", "=", "\t=  "][int(3)]
            text += messy(attribute.value)
            text += ["", " /* note; { */", " "][int(3)]
            let last = offset == document.attributes.count - 1
            text += last && int(2) == 0 ? "" : ";"
            text += int(3) == 0 ? " // end" : ""
            text += last && int(2) == 0 ? "" : newline
        }
        return text
    }

    mutating func messy(_ value: JDLValue) -> String {
        switch value {
        case let .boolean(flag): return (flag ? ["true", "TRUE", "True"] : ["false", "FALSE", "False"])[int(3)]
        case let .list(items):
            guard !items.isEmpty else { return ["{}", "{ }", "{/* none */}"][int(3)] }
            var text = "{" + ["", "\n    ", " "][int(3)]
            text += items.map { messy($0) }.joined(separator: [",", ", ", ",\n\t", " , /* c */ "][int(4)])
            text += int(3) == 0 ? "," : ""
            return text + ["", "\n", " "][int(3)] + "}"
        default: return JDLPrinter.render(value, indent: nil)
        }
    }
}

@Suite struct JDLPrinterTests {
    @Test func printsCanonicalForm() throws {
        let document = try JDLDocument(
            parsing: """
                executable="/bin/x" ;Packages={"VO_ALICE@A::1" , "B"}; Empty = {};
                Nested = {{1,"a"},TRUE}; R = member(other.X,"y"); S = "q\\"\\\\\\n";
                """)
        #expect(
            JDLPrinter.print(document) == """
                executable = "/bin/x";
                Packages = {
                    "VO_ALICE@A::1",
                    "B"
                };
                Empty = {};
                Nested = {
                    {1, "a"},
                    true
                };
                R = member(other.X,"y");
                S = "q\\"\\\\\\n";

                """)
        #expect(document.description == JDLPrinter.print(document))
        #expect(JDLValue.list([.string("a"), .number("1")]).description == #"{"a", 1}"#)
    }

    @Test func quoteEscapes() {
        #expect(JDLPrinter.quote("a\"b\\c\nd\te\rf") == #""a\"b\\c\nd\te\rf""#)
    }

    @Test func corpusRoundTrips() throws {
        for text in [JDLDocumentTests.analysis, JDLDocumentTests.simulation] {
            let document = try JDLDocument(parsing: text)
            let printed = JDLPrinter.print(document)
            #expect(try JDLDocument(parsing: printed) == document, "\(printed)")
            #expect(JDLPrinter.print(try JDLDocument(parsing: printed)) == printed)
        }
    }

    @Test(arguments: 0..<300)
    func randomDocumentsRoundTrip(seed: Int) throws {
        var generator = RandomJDL(random: SeededGenerator(seed: UInt64(seed)))
        let document = generator.document()
        let printed = JDLPrinter.print(document)
        let reparsed = try JDLDocument(parsing: printed)
        #expect(reparsed == document, "seed \(seed):\n\(printed)")
        #expect(reparsed.warnings.isEmpty)
    }

    @Test(arguments: 0..<300)
    func messyDocumentsParseToTheSameDocument(seed: Int) throws {
        var generator = RandomJDL(random: SeededGenerator(seed: UInt64(seed) &+ 1_000_003))
        let document = generator.document()
        let messy = generator.messy(document)
        #expect(try JDLDocument(parsing: messy) == document, "seed \(seed):\n\(messy)")
    }
}
