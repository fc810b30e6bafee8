@testable import AlienModel
import Testing
import TestSupport

/// Manifests written in code, shared by the AlienModel environment tests.
enum ManifestFixture {
    static func t(_ text: String) -> EnvironmentTemplate { try! EnvironmentTemplate(shellDoubleQuoted: text) }

    static func package(_ name: String, _ version: String = "1.0", revision: String = "1") -> EnvironmentManifest.Package {
        .init(name: try! PackageName(name), version: version, revision: revision, hash: "h-\(name)", commit: "c-\(name)")
    }

    /// A manifest as the Builder makes one: bin and lib put first.
    static func manifest(
        _ name: String, _ version: String = "1.0", requires: [EnvironmentManifest.Package] = [],
        env: [(String, String)] = [], append: [(String, String)] = [], prepend: [(String, String)] = []
    ) -> EnvironmentManifest {
        let own = package(name, version)
        let root = own.name.environmentPrefix + "_ROOT"
        var prependEntries = prepend.map { EnvironmentManifest.PathEntry(name: $0.0, items: [t($0.1)]) }
        for (key, directory) in [("PATH", "bin"), ("LD_LIBRARY_PATH", "lib")] {
            let first = t("$\(root)/\(directory)")
            if let index = prependEntries.firstIndex(where: { $0.name == key }) {
                prependEntries[index].items.insert(first, at: 0)
            } else {
                prependEntries.append(.init(name: key, items: [first]))
            }
        }
        return EnvironmentManifest(
            architecture: "slc9_x86-64", package: own,
            requires: requires.map { .init(name: $0.name, version: $0.version, revision: $0.revision) },
            env: env.map { .init(name: $0.0, value: t($0.1)) },
            appendPath: append.map { .init(name: $0.0, items: [t($0.1)]) }, prependPath: prependEntries
        ).normalized()
    }
}

@Suite struct EnvironmentManifestTests {
    typealias F = ManifestFixture

    @Test func ownVariablesAreAliBuilds() {
        let manifest = F.manifest("AliEn-Runtime", "v2-19-le")
        #expect(
            manifest.ownVariables.map(\.name) == [
                "ALIEN_RUNTIME_ROOT", "RECC_PREFIX_MAP", "ALIEN_RUNTIME_VERSION",
                "ALIEN_RUNTIME_REVISION", "ALIEN_RUNTIME_HASH", "ALIEN_RUNTIME_COMMIT"
            ])
        #expect(manifest.ownVariables[0].value.description == "$WORK_DIR/$ALIBUILD_ARCH_PREFIX/AliEn-Runtime/v2-19-le-1")
        #expect(manifest.ownVariables[1].value.description == "$ALIEN_RUNTIME_ROOT=/recc/ALIEN_RUNTIME_ROOT:$RECC_PREFIX_MAP")
    }

    @Test func normalFormSplitsListsAndMovesTrailingAppends() {
        let manifest = EnvironmentManifest(
            architecture: nil, package: F.package("A"), requires: [],
            env: [.init(name: "X", value: F.t("$X:first")), .init(name: "Y", value: F.t("y")), .init(name: "Z", value: F.t("$Z:z1:z2"))],
            appendPath: [.init(name: "W", items: [F.t("w1:w2")])],
            prependPath: [.init(name: "PATH", items: [F.t("$A_ROOT/bin:$A_ROOT/sbin")])]
        ).normalized()
        #expect(manifest.env.map(\.name) == ["X", "Y"], "only the tail moves: X stays an env entry")
        #expect(manifest.appendPath.map(\.name) == ["Z", "W"])
        #expect(manifest.appendPath[0].items.map(\.description) == ["z1", "z2"])
        #expect(manifest.prependPath[0].items.map(\.description) == ["$A_ROOT/bin", "$A_ROOT/sbin"])
        #expect(manifest.normalized() == manifest)
    }

    @Test func validationRefusesNamesBashOwnsAndBadPaths() {
        var manifest = F.manifest("A", env: [("SHLVL", "3")])
        #expect(throws: EnvironmentManifestError.self) { try manifest.validate() }
        manifest = F.manifest("A", env: [("NOT-A-NAME", "x")])
        #expect(throws: EnvironmentManifestError.self) { try manifest.validate() }
        manifest = F.manifest("A")
        manifest.package.version = "../x"
        #expect(throws: EnvironmentManifestError.self) { try manifest.validate() }
        manifest = F.manifest("lib.x")
        #expect(throws: EnvironmentManifestError.self) { try manifest.validate() }
        manifest = F.manifest("A", requires: [F.package("B", "..")])
        #expect(throws: EnvironmentManifestError.self) { try manifest.validate() }
        #expect(throws: Never.self) { try F.manifest("A", requires: [F.package("B")], env: [("A_HOME", "$A_ROOT")]).validate() }
    }

    @Test func renderedInitScriptReadsBack() throws {
        let manifest = F.manifest(
            "GridDemo", "v1", requires: [F.package("greeter"), F.package("Odd-Data", "v 1's")],
            env: [("MOTD", "$GRIDDEMO_ROOT/share/motd"), ("Q", "a \\\"b\\\" \\$c")],
            append: [("ROOT_INCLUDE_PATH", "$GRIDDEMO_ROOT/include")],
            prepend: [("PATH", "$GRIDDEMO_ROOT/libexec"), ("PYTHONPATH", "$GRIDDEMO_ROOT/lib/python:")])
        let text = manifest.initScript
        #expect(text.contains("[ -n \"${ODD_DATA_REVISION}\" ] || . \"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/Odd-Data/'v 1'\"'\"'s'-1/etc/profile.d/init.sh"))
        let parsed = try InitScriptParser.parse(text + "\n", file: "init.sh")
        #expect(parsed == manifest)
    }

    /// `isNormalized` is `normalized() == self`, without building the normal form.
    @Test func isNormalizedIsTheNormalFormCheck() {
        var random = SeededGenerator(seed: 99)
        let texts = ["$A", "a:b", "x", ":", "$K:y", "", "$A:$B", "::"]
        for _ in 0..<2000 {
            func template() -> EnvironmentTemplate { ManifestFixture.t(texts.randomElement(using: &random)!) }
            let env = (0..<Int.random(in: 0...3, using: &random)).map { _ -> EnvironmentManifest.Assignment in
                let name = ["K", "L"].randomElement(using: &random)!
                return .init(name: name, value: Bool.random(using: &random) ? ManifestFixture.t("$\(name):tail") : template())
            }
            let lists = (0..<Int.random(in: 0...2, using: &random)).map { _ in
                EnvironmentManifest.PathEntry(name: "P", items: (0..<Int.random(in: 1...3, using: &random)).map { _ in template() })
            }
            let manifest = EnvironmentManifest(
                architecture: nil, package: ManifestFixture.package("x"), requires: [], env: env,
                appendPath: Bool.random(using: &random) ? lists : [], prependPath: Bool.random(using: &random) ? lists : [])
            #expect(manifest.isNormalized == (manifest.normalized() == manifest), "\(manifest)")
        }
    }

    /// The byte check of a name's variable prefix says what spelling `<PREFIX>_ROOT` and asking
    /// `ShellVariables.isName` says, and `validate()` refuses with it.
    @Test(arguments: ["zlib", "AliEn-Runtime", "O2-full_1", "a.b", "x+y", "9lives", "Z", "lib-", "a_b.c", "ROOT"])
    func variablePrefixCheckIsTheSpelledOne(name: String) throws {
        let packageName = try PackageName(name)
        let spelled = ShellVariables.isName(packageName.environmentPrefix + "_ROOT")
        #expect(EnvironmentManifest.givesVariableNames(packageName) == spelled)
        let manifest = EnvironmentManifest(architecture: nil, package: F.package(name), requires: [])
        #expect(((try? manifest.validate()) != nil) == spelled)
        let dependent = EnvironmentManifest(architecture: nil, package: F.package("top"), requires: [.init(name: packageName, version: "1", revision: "1")])
        #expect(((try? dependent.validate()) != nil) == spelled)
    }
}
