import JDL
import Testing

/// The valid corpus: real-shaped JDLs covering every construct.
@Suite struct JDLDocumentTests {
    static let analysis = """
        # packages for this job
        Executable = "/alice/bin/aliroot.sh";
        Packages = {
            "VO_ALICE@AliPhysics::v5-09-45a-01-1",
            "VO_ALICE@jemalloc::latest"
        };
        InputFile = {"LF:/alice/cern.ch/user/a/auser/analysis.C", "LF:/alice/cern.ch/user/a/auser/AddTask.C",};
        Requirements = member(other.GridPartitions, "quickreco");
        TTL = "28000";
        Price = 1;
        // a C++ comment
        OutputDir = "alien:///alice/cern.ch/user/a/auser/out/#alien_counter_03i#"; /* trailing */
        Validate = TRUE
        """

    static let simulation = """
        Executable = "/alice/cern.ch/user/a/aliprod/bin/aliroot_new";\r
        Split = "production:1-100";\r
        SplitArguments = "--run 245231 --event #alien_counter#";\r
        Packages = "VO_ALICE@AliDPG::prod-202003-01-1";\r
        JDLVariables = {"CollisionSystem", "Energy"};\r
        \tCollisionSystem = "pp";\r
        Energy = 13000;\r
        OutputArchive = {"root_archive.zip:AliESDs.root,AliAOD.root@disk=2", "log_archive.zip:*.log@disk=1"};\r
        Weights = {{1, 2}, {3.5, -4e2}, {}};\r
        Environment = "$HOME/work";
        """

    @Test func analysis() throws {
        let document = try JDLDocument(parsing: Self.analysis)
        #expect(
            document.attributes.map(\.name) == [
                "Executable", "Packages", "InputFile", "Requirements", "TTL", "Price", "OutputDir", "Validate"
            ])
        #expect(document["executable"] == .string("/alice/bin/aliroot.sh"))
        #expect(document["PACKAGES"]?.strings == ["VO_ALICE@AliPhysics::v5-09-45a-01-1", "VO_ALICE@jemalloc::latest"])
        #expect(document["InputFile"]?.strings?.count == 2)
        #expect(document["Requirements"] == .expression(#"member(other.GridPartitions, "quickreco")"#))
        #expect(document["TTL"] == .string("28000"))
        #expect(document["price"] == .number("1"))
        #expect(document["OutputDir"] == .string("alien:///alice/cern.ch/user/a/auser/out/#alien_counter_03i#"))
        #expect(document["validate"] == .boolean(true))
        #expect(document.warnings.isEmpty)
        #expect(document.attribute(named: "requirements")?.location?.line == 8)
    }

    @Test func simulationWithSplitCRLFAndTabs() throws {
        let document = try JDLDocument(parsing: Self.simulation)
        #expect(document["Split"] == .string("production:1-100"))
        #expect(document["Packages"]?.strings == ["VO_ALICE@AliDPG::prod-202003-01-1"])
        #expect(document["CollisionSystem"] == .string("pp"))
        #expect(document.attribute(named: "CollisionSystem")?.location?.column == 2)
        #expect(document["Energy"] == .number("13000"))
        #expect(
            document["Weights"]
                == .list([
                    .list([.number("1"), .number("2")]), .list([.number("3.5"), .number("-4e2")]), .list([])
                ]))
        #expect(document["Environment"] == .string("$HOME/work"))
    }

    @Test func argumentsAreSubstituted() throws {
        let text = """
            Executable = "sim.sh";
            Arguments = "$1 $2";
            OutputDir = "/alice/sim/$1/$2/#alien_counter_03i#";
            NEvents = $2;
            Requirements = other.Run == $1;
            InputData = {"LF:/alice/data/$1/raw"};
            # $3 appears only in this comment
            // and $4 here /* $5 */
            Home = "$HOME";
            """
        let document = try JDLDocument(parsing: text, arguments: ["245231", "200"])
        #expect(document["Arguments"] == .string("245231 200"))
        #expect(document["OutputDir"] == .string("/alice/sim/245231/200/#alien_counter_03i#"))
        #expect(document["NEvents"] == .number("200"))
        #expect(document["Requirements"] == .expression("other.Run == 245231"))
        #expect(document["InputData"] == .list([.string("LF:/alice/data/245231/raw")]))
        #expect(document["Home"] == .string("$HOME"))
    }

    @Test func withoutArgumentsPlaceholdersStay() throws {
        let document = try JDLDocument(parsing: #"Arguments = "$1 $2"; N = $1;"#)
        #expect(document["Arguments"] == .string("$1 $2"))
        #expect(document["N"] == .expression("$1"))
    }

    @Test func argumentInsideExpressionStringIsEscaped() throws {
        let document = try JDLDocument(parsing: #"Requirements = member(other.X, "$1");"#, arguments: [#"a"b"#])
        #expect(document["Requirements"] == .expression(#"member(other.X, "a\"b")"#))
    }

    @Test func escapesInStrings() throws {
        let document = try JDLDocument(parsing: #"A = "say \"hi\"\\ \n\tx \q";"#)
        #expect(document["A"] == .string("say \"hi\"\\ \n\tx q"))
    }

    @Test func commentsAndHashInsideStringsAreText() throws {
        let document = try JDLDocument(
            parsing: """
                A = "a // not a comment";
                B = "/* nor this */";
                C = "# nor this";
                """)
        #expect(document["A"] == .string("a // not a comment"))
        #expect(document["B"] == .string("/* nor this */"))
        #expect(document["C"] == .string("# nor this"))
    }

    @Test func duplicateAttributeLaterWins() throws {
        let document = try JDLDocument(parsing: "TTL = 100;\nExecutable = \"x\";\nttl = 200;\n")
        #expect(document["TTL"] == .number("200"))
        #expect(document.attributes.count == 2)
        #expect(document.warnings == [.duplicateAttribute(name: "ttl", firstLine: 1, secondLine: 3)])
        #expect(document.warnings[0].description.contains("first at line 1"))
    }

    @Test func missingFinalSemicolonAndNoNewline() throws {
        #expect(try JDLDocument(parsing: "A = 1;\nB = {\"x\"}")["B"] == .list([.string("x")]))
        #expect(try JDLDocument(parsing: "A = member(a, \"b\")  // c")["A"] == .expression(#"member(a, "b")"#))
        #expect(try JDLDocument(parsing: "")["A"] == nil)
    }

    @Test func multiLineExpressionAndComments() throws {
        let document = try JDLDocument(
            parsing: """
                Requirements = (other.CE == "ALICE::CERN::LCG") /* site */
                    && other.TTL > 100 // ttl
                # whole-line comment inside
                    ;
                B = false;
                """)
        #expect(document["Requirements"] == .expression("(other.CE == \"ALICE::CERN::LCG\")  \n    && other.TTL > 100"))
        #expect(document["b"] == .boolean(false))
    }

    @Test func listOfExpressionsAndStringExpressions() throws {
        let document = try JDLDocument(parsing: #"L = {f(1, 2), "a" + "b", x.y}; S = "a" + "b";"#)
        #expect(document["L"] == .list([.expression("f(1, 2)"), .expression(#""a" + "b""#), .expression("x.y")]))
        #expect(document["S"] == .expression(#""a" + "b""#))
    }

    @Test func setAndRemove() throws {
        var document = try JDLDocument(parsing: "TTL = 1;")
        document.set(try JDLAttribute(name: "ttl", value: .number("2")))
        #expect(document.attributes.map(\.name) == ["ttl"])
        #expect(document.remove("TTL")?.value == .number("2"))
        #expect(throws: JDLError.invalidAttributeName("1x")) { try JDLAttribute(name: "1x", value: .boolean(true)) }
    }
}
