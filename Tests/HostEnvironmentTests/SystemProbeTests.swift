import AlienModel
import Foundation
import HostEnvironment
import Resolver
import Testing

@Suite struct SystemProbeTests {
    let probe = SystemProbe(architecture: "slc9_x86-64", configDir: "/tmp")

    func run(_ script: String) throws -> SystemCheckResult {
        probe.run(SystemCheckRequest(package: try PackageName("zlib"), kind: .preferSystem, script: script))
    }

    @Test func mergesOutputAndStripsOneNewlineAsAliBuildDoes() throws {
        let result = try run("echo out; echo err >&2; printf 'last\\n\\n'")
        #expect(result.exitStatus == 0)
        #expect(result.output == "out\nerr\nlast\n")
    }

    @Test func reportsTheExitStatusAndTheEnvironment() throws {
        let result = try run("echo \"$ARCHITECTURE $ALIBUILD_ARCHITECTURE $ALIBUILD_CONFIG_DIR $ALIBUILD_VERSION\"; exit 3")
        #expect(result.exitStatus == 3)
        // ALIBUILD_VERSION as aliBuild sets it: alidist's gpu-system detects nothing without it.
        #expect(result.output == "slc9_x86-64 slc9_x86-64 /tmp 1.17.48")
        #expect(probe.history.count >= 1)
    }

    @Test func runsInAFreshTemporaryDirectory() throws {
        let first = try run("pwd").output, second = try run("pwd").output
        #expect(first != second)
        #expect(!FileManager.default.fileExists(atPath: first), "the directory is removed afterwards")
    }

    @Test func requestedVersionReachesTheCheck() throws {
        #expect(try run("REQUESTED_VERSION=v1.2\necho $REQUESTED_VERSION").output == "v1.2")
    }
}
