import AlienModel
import AreaEnvironment
import Foundation
import Testing

@Suite struct EnvironmentCommandLineTests {
    typealias CL = EnvironmentCommandLine
    static let host = ["ALIEN_ARCHITECTURE": AreaFixture.arch]

    @Test func theAreaComesFromTheOptionThenTheEnvironment() throws {
        let first = try AreaFixture(), second = try AreaFixture()
        defer { first.remove(); second.remove() }
        #expect(try CL.locateArea(area: first.root.path, arch: nil, environment: ["ALIEN_AREA": second.root.path]).root.path == first.root.path)
        #expect(
            try CL.locateArea(area: nil, arch: nil, environment: ["ALIEN_AREA": second.root.path, "ALIBUILD_WORK_DIR": first.root.path]).root.path
                == second.root.path)
        #expect(
            try CL.locateArea(area: nil, arch: nil, environment: ["ALIEN_AREA": "", "ALIBUILD_WORK_DIR": first.root.path]).root.path
                == first.root.path)
    }

    @Test func aMissingAreaSaysHowToNameOne() {
        #expect(throws: CL.Failure("software area /nonexistent/area does not exist (pass --area DIR or set ALIEN_AREA)")) {
            try CL.locateArea(area: "/nonexistent/area", arch: nil, environment: [:])
        }
        // ./sw by default, made absolute.
        let cwd = FileManager.default.currentDirectoryPath
        if !FileManager.default.fileExists(atPath: cwd + "/sw") {
            #expect(throws: CL.Failure("software area \(cwd)/sw does not exist (pass --area DIR or set ALIEN_AREA)")) {
                try CL.locateArea(area: nil, arch: nil, environment: [:])
            }
        }
    }

    @Test func theArchitectureIsGivenTheOnlyOneRememberedOrTheHosts() throws {
        let single = try AreaFixture(architectures: ["ubuntu2204_x86-64"])
        let several = try AreaFixture(architectures: ["slc9_x86-64", "slc8_x86-64"])
        let empty = try AreaFixture(architectures: [])
        defer { single.remove(); several.remove(); empty.remove() }
        #expect(try CL.locateArea(area: single.root.path, arch: nil, environment: Self.host).architecture.rawValue == "ubuntu2204_x86-64")
        #expect(try CL.locateArea(area: single.root.path, arch: "slc7_x86-64", environment: [:]).architecture.rawValue == "slc7_x86-64")
        #expect(throws: CL.Failure.self) { try CL.locateArea(area: single.root.path, arch: "no arch!", environment: [:]) }
        // Several: the host's when the area has it, else a request for --arch.
        #expect(try CL.locateArea(area: several.root.path, arch: nil, environment: Self.host).architecture.rawValue == "slc9_x86-64")
        #expect(throws: CL.Failure("software area \(several.root.path) holds several architectures (slc8_x86-64, slc9_x86-64): pass --arch")) {
            try CL.locateArea(area: several.root.path, arch: nil, environment: ["ALIEN_ARCHITECTURE": "ubuntu2404_aarch64"])
        }
        // Empty: what .alien/config.json remembers, else the host's.
        #expect(try CL.locateArea(area: empty.root.path, arch: nil, environment: Self.host).architecture.rawValue == AreaFixture.arch)
        try FileManager.default.createDirectory(at: empty.root.appendingPathComponent(".alien"), withIntermediateDirectories: true)
        try Data(#"{"repository": "https://x", "arch": "slc8_x86-64", "allow_unparsed_init": false}"#.utf8)
            .write(to: empty.root.appendingPathComponent(".alien/config.json"))
        #expect(try CL.locateArea(area: empty.root.path, arch: nil, environment: Self.host).architecture.rawValue == "slc8_x86-64")
    }

    @Test func shellsByNameOrFromSHELL() throws {
        #expect(try CL.shell("fish", environment: [:]) == .fish)
        #expect(try CL.shell(nil, environment: ["SHELL": "/bin/tcsh"]) == .tcsh)
        #expect(try CL.shell(nil, environment: [:]) == .sh)
        #expect(throws: CL.Failure("--shell: expected one of sh, bash, zsh, csh, tcsh, fish, json, got 'pwsh'", status: CL.usageStatus)) {
            try CL.shell("pwsh", environment: [:])
        }
    }

    @Test func envPrintsTheChangesAndChecksInOrder() throws {
        let area = try AreaFixture()
        defer { area.remove() }
        try area.install("zlib", "v1.3.1")
        try area.install("ROOT", "v6-32-06", requires: [("zlib", "v1.3.1")])
        let base = ["PATH": "/usr/bin:/bin", "SHELL": "/bin/bash"]
        let bytes = try CL.env(packages: ["ROOT"], area: area.root.path, arch: nil, shell: nil, environment: base)
        let text = String(decoding: bytes, as: UTF8.self)
        let located = try CL.locateArea(area: area.root.path, arch: nil, environment: base)
        let packages = try CL.packages(["ROOT"], in: located)
        #expect(text == EnvironmentShell.bash.render(try located.changes(of: packages, base: base)))
        // A process that exits after printing keeps its memory: the same bytes.
        #expect(try CL.env(packages: ["ROOT"], area: area.root.path, arch: nil, shell: nil, environment: base, freeingMemory: false) == bytes)
        #expect(
            text.contains(
                "export PATH='\(area.root.path)/\(AreaFixture.arch)/ROOT/v6-32-06-1/bin:\(area.root.path)/\(AreaFixture.arch)/zlib/v1.3.1-1/bin:/usr/bin:/bin';\n"
            ))
        #expect(text.contains("export ROOT_DATA='\(area.root.path)/\(AreaFixture.arch)/ROOT/v6-32-06-1/share';\n"))
        // The area first (status 1), then the shell (usage), then the packages, then the environment.
        #expect(throws: CL.Failure("software area /nonexistent does not exist (pass --area DIR or set ALIEN_AREA)")) {
            try CL.env(packages: ["nope"], area: "/nonexistent", arch: nil, shell: "pwsh", environment: base)
        }
        #expect(throws: CL.Failure.self) { try CL.env(packages: ["nope"], area: area.root.path, arch: nil, shell: "pwsh", environment: base) }
        #expect(throws: CL.Failure("nope is not installed in \(area.root.path)/\(AreaFixture.arch), and no version of it is")) {
            try CL.env(packages: ["nope"], area: area.root.path, arch: nil, shell: "sh", environment: base)
        }
        try FileManager.default.removeItem(at: area.root.appendingPathComponent("\(AreaFixture.arch)/zlib"))
        #expect {
            try CL.env(packages: ["ROOT"], area: area.root.path, arch: nil, shell: "sh", environment: base)
        } throws: { error in
            (error as? CL.Failure)?.message.contains("ROOT/v6-32-06-1 needs zlib/v1.3.1-1, which is not installed") == true
        }
    }
}
