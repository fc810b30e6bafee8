import AlienModel
import AreaEnvironment
import Foundation
import HostEnvironment
import Testing

@Suite struct EnvironmentCommandLineHostTests {
    @Test func aForcedArchitectureWins() {
        #expect(EnvironmentCommandLine.hostArchitecture(environment: ["ALIEN_ARCHITECTURE": "slc7_x86-64"])?.rawValue == "slc7_x86-64")
        #expect(EnvironmentCommandLine.hostArchitecture(environment: ["ALIEN_ARCHITECTURE": "not one!"]) == nil)
    }

    /// The same answer as HostEnvironment's detection, which the rest of the CLI uses.
    @Test func detectsAsHostEnvironmentDoes() throws {
        let ours = EnvironmentCommandLine.hostArchitecture(environment: [:])
        let theirs = try? HostArchitecture.current(environment: [:])
        #expect(ours == theirs)
    }

    @Test func readsTheGivenOSRelease() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("os-release-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("NAME=\"Ubuntu\"\nID=ubuntu\nVERSION_ID=\"22.04\"\n".utf8).write(to: file)
        var info = utsname()
        uname(&info)
        let machine = withUnsafeBytes(of: &info.machine) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        let expected = Architecture.detect(osRelease: "ID=ubuntu\nVERSION_ID=\"22.04\"\n", system: "Linux", machine: machine)
        #expect(EnvironmentCommandLine.hostArchitecture(environment: [:], osRelease: file.path) == expected)
        #expect(expected?.rawValue.hasPrefix("ubuntu2204_") == true)
        // A missing file is an empty one.
        #expect(
            EnvironmentCommandLine.hostArchitecture(environment: [:], osRelease: file.path + ".missing")
                == Architecture.detect(osRelease: "", system: "Linux", machine: machine))
    }
}
