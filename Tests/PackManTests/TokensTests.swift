import PackMan
import Testing

@Suite struct TokensTests {
    @Test func authenticatesByHashAndRole() throws {
        let tokens = try Tokens.parse("# comment\nagent job \(Tokens.hash("a"))\n\nboss admin \(Tokens.hash("b"))\n", file: "t")
        #expect(tokens.authenticate("a")?.name == "agent" && tokens.authenticate("a")?.role == .job)
        #expect(tokens.authenticate("b")?.role == .admin)
        #expect(tokens.authenticate("c") == nil && tokens.authenticate("") == nil)
        #expect(Role.job < Role.admin)
        #expect(Tokens.hash("a") == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb")
    }

    @Test(arguments: [
        ("agent job\n", "t:1: expected NAME ROLE SHA256HEX"),
        ("agent root \(String(repeating: "0", count: 64))\n", "t:1: agent: role: expected job or admin, got 'root'"),
        ("\nagent job abc\n", "t:2: agent: expected 64 hex digits"),
        ("a job \(String(repeating: "0", count: 64))\na admin \(String(repeating: "1", count: 64))\n", "t:2: a: name given twice")
    ])
    func refusesBadLines(text: String, message: String) {
        do {
            _ = try Tokens.parse(text, file: "t")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }
}

@Suite struct TokensVOsTests {
    @Test func aFourthFieldLimitsTheTokenToVOs() throws {
        let text = "panda job \(Tokens.hash("p")) vos=VO_PANDA\nboth admin \(Tokens.hash("b")) vos=VO_PANDA,VO_EIC\nall job \(Tokens.hash("a"))\n"
        let tokens = try Tokens.parse(text, file: "t")
        let panda = try #require(tokens.authenticate("p"))
        #expect(panda.vos == ["VO_PANDA"] && panda.allows(vo: "VO_PANDA") && !panda.allows(vo: "VO_ALICE"))
        let both = try #require(tokens.authenticate("b"))
        #expect(both.allows(vo: "VO_EIC") && both.allows(vo: "VO_PANDA") && !both.allows(vo: "VO_ALICE") && both.role == .admin)
        let all = try #require(tokens.authenticate("a"))
        #expect(all.vos == nil && all.allows(vo: "VO_ALICE") && all.allows(vo: "anything"))
    }

    @Test(arguments: [
        ("a job \(String(repeating: "0", count: 64)) VO_A\n", "t:1: a: 4th field: expected vos=VO_A,VO_B, got 'VO_A'"),
        ("a job \(String(repeating: "0", count: 64)) vos=\n", "t:1: a: vos: expected VO names"),
        ("a job \(String(repeating: "0", count: 64)) vos=VO_A,,VO_B\n", "t:1: a: vos: expected VO names"),
        ("a job \(String(repeating: "0", count: 64)) vos=VO@A\n", "t:1: a: vos: expected VO names of letters, digits, '_', '.', '-', got 'VO@A'"),
        ("a job \(String(repeating: "0", count: 64)) vos=VO_A extra\n", "t:1: expected NAME ROLE SHA256HEX [vos=VO,...], got 5 field(s)")
    ])
    func refusesBadVOFields(text: String, message: String) {
        do {
            _ = try Tokens.parse(text, file: "t")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }
}
