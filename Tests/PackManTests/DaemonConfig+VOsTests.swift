import Foundation
import PackMan
import Testing

@Suite struct DaemonConfigVOsTests {
    static let base = """
        vo: VO_ALICE
        area: /opt/sw/alice
        arch: slc9_x86-64
        repository: https://repo.example.org/alice
        trusted_root: /etc/alien/alice-root.json
        disk: {budget: 100G}
        listen: {unix: /run/packmand.sock}

        """

    @Test func readsTheDefaultVOAndEveryOther() throws {
        let text =
            Self.base + """
                vos:
                  VO_PANDA:
                    area: /opt/sw/alice/panda
                    repository: https://repo.example.org/panda
                    mirrors: [https://mirror.example.org/panda]
                    trusted_root: /etc/alien/panda-root.json
                    disk_budget: 20G
                  VO_EIC:
                    area: /opt/sw/eic
                    arch: el9_x86-64
                    repository: file:///srv/eic

                """
        let config = try DaemonConfig.parse(text, file: "p.yaml")
        #expect(config.vo == "VO_ALICE")
        #expect(config.allVOs.map(\.name) == ["VO_ALICE", "VO_PANDA", "VO_EIC"])
        let panda = config.allVOs[1]
        #expect(panda.area == "/opt/sw/alice/panda" && panda.repository == "https://repo.example.org/panda")
        #expect(panda.mirrors == ["https://mirror.example.org/panda"] && panda.trustedRoot == "/etc/alien/panda-root.json")
        #expect(panda.diskBudget == 20 << 30 && panda.arch == nil)
        let scoped = config.scoped(to: panda)
        #expect(scoped.vo == "VO_PANDA" && scoped.area == "/opt/sw/alice/panda" && scoped.arch == "slc9_x86-64", "the site's arch by default")
        #expect(scoped.diskBudget == 20 << 30 && scoped.databasePath == "/opt/sw/alice/panda/.alien/packmand.sqlite")
        #expect(scoped.repository == "https://repo.example.org/panda" && scoped.trustedRoot == "/etc/alien/panda-root.json")
        #expect(config.scoped(to: config.allVOs[2]).arch == "el9_x86-64")
        #expect(config.scoped(to: config.allVOs[0]) == config, "the default VO is the top-level keys")
        #expect(config.allVOs[0].diskBudget == 100 << 30 && config.allVOs[0].trustedRoot == "/etc/alien/alice-root.json")
    }

    @Test func withoutVOKeysTheSiteIsOneVOALICE() throws {
        let config = try DaemonConfig.parse("area: /a\nlisten: {unix: /s}\n", file: "f.yaml")
        #expect(config.vo == "VO_ALICE" && config.vos.isEmpty && config.allVOs.map(\.name) == ["VO_ALICE"])
    }

    @Test(arguments: [
        ("vos:\n  VO_B:\n    repository: file:///r\n", "p.yaml:9: vos.VO_B.area: required"),
        ("vos:\n  VO_B:\n    area: /opt/sw/alice\n", "p.yaml:10: vos.VO_B.area: '/opt/sw/alice' is already the area of VO_ALICE"),
        ("vos:\n  VO_B:\n    area: /opt/sw/b/\n  VO_C:\n    area: /opt/sw/./b\n", "p.yaml:12: vos.VO_C.area: '/opt/sw/./b' is already the area of VO_B"),
        ("vos:\n  VO_ALICE:\n    area: /x\n", "p.yaml:9: vos.VO_ALICE: is the default VO"),
        ("vos:\n  VO_B:\n    area: /b\n    budget: 1G\n", "p.yaml:11: vos.VO_B.budget: unknown key"),
        ("vos:\n  VO B:\n    area: /b\n", "p.yaml:9: vos: expected a VO name"),
        ("vos:\n  VO_B:\n    area: relative\n", "p.yaml:10: vos.VO_B.area: expected an absolute path"),
        ("vos:\n  VO_B:\n    area: /b\n    repository: ftp://x\n", "p.yaml:11: vos.VO_B.repository: expected an http://"),
        ("vos:\n  VO_B:\n    area: /b\n    disk_budget: lots\n", "p.yaml:11: vos.VO_B.disk_budget: expected a size"),
        ("vos: [VO_B]\n", "p.yaml:8: vos: expected a mapping"),
        ("vos:\n  VO_B: /b\n", "p.yaml:9: vos.VO_B: expected a mapping")
    ])
    func refusesMalformedVOs(extra: String, message: String) {
        do {
            _ = try DaemonConfig.parse(Self.base + extra, file: "p.yaml")
            Issue.record("accepted \(extra)")
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test func refusesABadDefaultVOName() {
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("vo: 'VO/ALICE'\narea: /a\nlisten: {unix: /s}\n", file: "f.yaml") }
        do { _ = try DaemonConfig.parse("vo: a@b\narea: /a\nlisten: {unix: /s}\n", file: "f.yaml") } catch {
            #expect(error.description.hasPrefix("f.yaml:1: vo: expected a VO name"), "\(error)")
        }
    }

    @Test func refusesTooManyVOs() {
        let many = (0...64).map { "  VO_\($0):\n    area: /v\($0)\n" }.joined()
        do {
            _ = try DaemonConfig.parse(Self.base + "vos:\n" + many, file: "p.yaml")
            Issue.record("accepted 65 VOs")
        } catch {
            #expect(error.description.contains("vos: at most 64 VOs, got 65"), "\(error)")
        }
    }
}
