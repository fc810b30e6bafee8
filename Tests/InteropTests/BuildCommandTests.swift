import Basics
import Foundation
import Testing
import TestSupport

/// `alien-install build` as a user runs it: events, a killed build, two builds at once.
@Suite(.serialized) struct BuildCommandTests {
    /// `gate`: the slow recipe, once it has traced its start, waits until that file exists
    /// (for at most 10 minutes, a hang catcher) before its sleep: the test decides when it ends.
    static func recipes(slowSeconds: Double, trace: URL? = nil, gate: URL? = nil) throws -> URL {
        let directory = try Interop.temporaryDirectory("build-recipes")
        let traceLine =
            (trace.map { "echo \"start $$\" >> \($0.path)\n" } ?? "")
            + (gate.map { "i=0; while [ ! -e \($0.path) ] && [ $i -lt 6000 ]; do sleep 0.1; i=$((i+1)); done\n" } ?? "")
        let traceEnd = trace.map { "echo \"end $$\" >> \($0.path)\n" } ?? ""
        let files = [
            "defaults-release.sh": "package: defaults-release\nversion: v1\n---\n",
            "quick.sh": "package: quick\nversion: v1\n---\nmkdir -p $INSTALLROOT/share && echo quick > $INSTALLROOT/share/quick\n",
            "slow.sh":
                "package: slow\nversion: v1\nrequires: [quick]\n---\n\(traceLine)sleep \(slowSeconds)\n\(traceEnd)mkdir -p $INSTALLROOT/bin && printf '#!/bin/sh\\necho slow done\\n' > $INSTALLROOT/bin/slow && chmod +x $INSTALLROOT/bin/slow\n"
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
        try process.start()
        return process
    }

    /// Waits until a line of `file` starts with `word` (true), or 300 s passed (a hang catcher).
    static func waitForLine(_ word: String, in file: URL) -> Bool {
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            if text.split(separator: "\n").contains(where: { $0.hasPrefix(word + " ") }) { return true }
            usleep(20_000)
        }
        return false
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
        let traces = try Interop.temporaryDirectory("build-trace")
        defer { try? FileManager.default.removeItem(at: traces) }
        let trace = traces.appendingPathComponent("trace"), gate = traces.appendingPathComponent("gate")
        let recipes = try Self.recipes(slowSeconds: 0.5, trace: trace, gate: gate), work = try Interop.temporaryDirectory("build-kill")
        defer { try? FileManager.default.removeItem(at: recipes); try? FileManager.default.removeItem(at: work) }
        let arguments = ["build", "slow", "-c", recipes.path, "-w", work.path, "--arch", "slc9_x86-64", "--json"]
        let process = try Self.start(arguments)
        // `slow`'s recipe has started (so `quick` is in the store) and waits at the gate: kill -9.
        #expect(Self.waitForLine("start", in: trace), "slow's recipe never started")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let afterKill = Self.storeContents(work)
        #expect(afterKill.tarballs == ["defaults-release-v1-1.slc9_x86-64.tar.gz", "quick-v1-1.slc9_x86-64.tar.gz"])
        #expect(afterKill.others.isEmpty, "no temporary or partial tarball: \(afterKill.others)")
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("slc9_x86-64/slow").path))

        // The orphaned recipe goes on once the gate opens; the rerun's recipe passes it at once.
        #expect(FileManager.default.createFile(atPath: gate.path, contents: nil), "the gate opens")
        let rerun = try CLITests.cli(arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.text.contains("\"event\":\"cached\",\"from\":\"installed\",\"package\":\"quick\""))
        #expect(Self.storeContents(work).tarballs.count == 3)
        // The killed build's recipe kept running as an orphan; the rerun waited for it.
        let lines = try String(contentsOf: trace, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        #expect(lines.count == 4)
        #expect(lines.map { String($0[0]) } == ["start", "end", "start", "end"], "the two runs of the recipe never overlap: \(lines)")
    }

    @Test func aSecondBuildOfTheSameWorkDirWaits() throws {
        let traces = try Interop.temporaryDirectory("build-lock-trace")
        defer { try? FileManager.default.removeItem(at: traces) }
        let trace = traces.appendingPathComponent("trace"), gate = traces.appendingPathComponent("gate")
        let recipes = try Self.recipes(slowSeconds: 0, trace: trace, gate: gate), work = try Interop.temporaryDirectory("build-lock")
        defer { try? FileManager.default.removeItem(at: recipes); try? FileManager.default.removeItem(at: work) }
        let arguments = ["build", "slow", "-c", recipes.path, "-w", work.path, "--arch", "slc9_x86-64", "--json"]
        let first = try Self.start(arguments)
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        // The first build is inside `slow` (holding the work dir) until the gate opens; the
        // second starts then, says it waits, and only then is the first let go.
        #expect(Self.waitForLine("start", in: trace), "the first build's recipe never started")
        let second = try BackgroundProcess(
            CLITests.binary.path, arguments, output: traces.appendingPathComponent("second.out"))
        defer { second.kill() }
        #expect(second.wait(for: "waiting-for-lock", seconds: 300), "\(second.text)")
        #expect(FileManager.default.createFile(atPath: gate.path, contents: nil), "the gate opens")
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(second.exitStatus(within: 300) == 0, "\(second.text)")
        #expect(second.text.contains("waiting-for-lock"))
        #expect(!second.text.contains("\"event\":\"built\""), "the second build found everything done: \(second.text)")
    }

    /// A store built elsewhere, served by a real nginx as an aliBuild HTTP store: the second
    /// work dir takes every package from it and builds nothing.
    @Test func prebuiltTarballsComeFromARemoteStore() throws {
        let recipes = Interop.root.appendingPathComponent("recipes/demo").path
        let origin = try Interop.temporaryDirectory("store-origin"), work = try Interop.temporaryDirectory("store-client")
        defer { try? FileManager.default.removeItem(at: origin); try? FileManager.default.removeItem(at: work) }
        let common = ["build", "GridDemo", "-c", recipes, "--arch", "slc9_x86-64", "--json"]
        let first = try CLITests.cli(common + ["-w", origin.path])
        #expect(first.status == 0, "\(first.stderr)")
        let server = try NginxServer(root: origin)
        defer { server.stop() }
        // An unsigned store is refused unless the user says to trust it.
        let refused = try CLITests.cli(common + ["-w", work.path, "--remote-store", server.baseURL.absoluteString])
        #expect(refused.status == 64 && refused.stderr.contains("--trust-unsigned-store"), "\(refused.stderr)")
        let second = try CLITests.cli(common + ["-w", work.path, "--remote-store", server.baseURL.absoluteString, "--trust-unsigned-store"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("unsigned"))
        #expect(!second.text.contains("\"event\":\"built\""), "nothing is built: \(second.text)")
        #expect(second.text.components(separatedBy: "\"from\":\"store\"").count - 1 == 5)
        let served = server.accessLogLines { $0.contains { $0.contains("GridDemo-v1-1.slc9_x86-64.tar.gz") } }  // logged after answering
        #expect(served.contains { $0.contains("GridDemo-v1-1.slc9_x86-64.tar.gz") && $0.contains(" 200") }, "\(served)")
        let output = try Interop.run(
            URL(fileURLWithPath: "/bin/bash"), ["-c", ". \(work.path)/slc9_x86-64/GridDemo/v1-1/etc/profile.d/init.sh && hello-grid remote"],
            environment: ["WORK_DIR": work.path])
        #expect(output.text.hasSuffix("Hello from the grid, remote! (libgreet 1.0)\n"))
        // A store without the package: built here as usual.
        let empty = try Interop.temporaryDirectory("store-empty"), third = try Interop.temporaryDirectory("store-third")
        defer { try? FileManager.default.removeItem(at: empty); try? FileManager.default.removeItem(at: third) }
        let emptyServer = try NginxServer(root: empty)
        defer { emptyServer.stop() }
        let built = try CLITests.cli(common + ["-w", third.path, "--remote-store", emptyServer.baseURL.absoluteString, "--trust-unsigned-store"])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(built.text.components(separatedBy: "\"event\":\"built\"").count - 1 == 5)
    }
}
