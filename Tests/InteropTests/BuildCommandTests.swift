import Foundation
import Testing

/// `alien-install build` as a user runs it: events, a killed build, two builds at once.
@Suite(.serialized) struct BuildCommandTests {
    static func recipes(slowSeconds: Double) throws -> URL {
        let directory = try Interop.temporaryDirectory("build-recipes")
        let files = [
            "defaults-release.sh": "package: defaults-release\nversion: v1\n---\n",
            "quick.sh": "package: quick\nversion: v1\n---\nmkdir -p $INSTALLROOT/share && echo quick > $INSTALLROOT/share/quick\n",
            "slow.sh": "package: slow\nversion: v1\nrequires: [quick]\n---\nsleep \(slowSeconds)\nmkdir -p $INSTALLROOT/bin && printf '#!/bin/sh\\necho slow done\\n' > $INSTALLROOT/bin/slow && chmod +x $INSTALLROOT/bin/slow\n",
        ]
        for (name, text) in files { try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return directory
    }

    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Every `.tar.gz` in the store, and anything else (temporary files) found there.
    static func storeContents(_ work: URL) -> (tarballs: [String], others: [String]) {
        let store = work.appendingPathComponent("TARS/slc9_x86-64/store")
        var tarballs: [String] = [], others: [String] = []
        guard let walker = FileManager.default.enumerator(at: store, includingPropertiesForKeys: [.isRegularFileKey]) else { return ([], []) }
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            if url.lastPathComponent.hasSuffix(".tar.gz") { tarballs.append(url.lastPathComponent) } else { others.append(url.lastPathComponent) }
        }
        return (tarballs.sorted(), others)
    }

    @Test func jsonEventsOnePerLine() throws {
        let recipes = try Self.recipes(slowSeconds: 0), work = try Interop.temporaryDirectory("build-json")
        defer { try? FileManager.default.removeItem(at: recipes); try? FileManager.default.removeItem(at: work) }
        let result = try CLITests.cli(["build", "slow", "-c", recipes.path, "-w", work.path, "--arch", "slc9_x86-64", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let events = try result.text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(events.first?["event"] as? String == "planned")
        #expect(events.filter { $0["event"] as? String == "built" }.count == 3)
        let dryRun = try CLITests.cli(["build", "slow", "-c", recipes.path, "-w", work.path, "--arch", "slc9_x86-64", "--dry-run"])
        #expect(dryRun.text.contains("slow v1-1 "))
    }

    @Test func aKilledBuildLeavesNoBrokenTarballAndResumes() throws {
        let recipes = try Self.recipes(slowSeconds: 3), work = try Interop.temporaryDirectory("build-kill")
        defer { try? FileManager.default.removeItem(at: recipes); try? FileManager.default.removeItem(at: work) }
        let arguments = ["build", "slow", "-c", recipes.path, "-w", work.path, "--arch", "slc9_x86-64", "--json"]
        let process = try Self.start(arguments)
        // Wait until `quick` is in the store and `slow` is running, then kill -9.
        let deadline = Date().addingTimeInterval(20)
        while Self.storeContents(work).tarballs.count < 2, Date() < deadline { usleep(50_000) }
        usleep(300_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let afterKill = Self.storeContents(work)
        #expect(afterKill.tarballs == ["defaults-release-v1-1.slc9_x86-64.tar.gz", "quick-v1-1.slc9_x86-64.tar.gz"])
        #expect(afterKill.others.isEmpty, "no temporary or partial tarball: \(afterKill.others)")
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("slc9_x86-64/slow").path))

        let rerun = try CLITests.cli(arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.text.contains("\"event\":\"cached\",\"from\":\"installed\",\"package\":\"quick\""))
        #expect(Self.storeContents(work).tarballs.count == 3)
    }

    @Test func aSecondBuildOfTheSameWorkDirWaits() throws {
        let recipes = try Self.recipes(slowSeconds: 1.5), work = try Interop.temporaryDirectory("build-lock")
        defer { try? FileManager.default.removeItem(at: recipes); try? FileManager.default.removeItem(at: work) }
        let arguments = ["build", "slow", "-c", recipes.path, "-w", work.path, "--arch", "slc9_x86-64", "--json"]
        let first = try Self.start(arguments)
        usleep(400_000)
        let second = try CLITests.cli(arguments)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.text.contains("waiting-for-lock"))
        #expect(!second.text.contains("\"event\":\"built\""), "the second build found everything done")
    }
}
