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
