import AlienModel
import Builder
import Basics
import Foundation
import HostEnvironment
import Resolver
import Testing

/// The builder end to end on the demo recipes (real bash, real compiler, real libarchive).
@Suite(.serialized) struct BuilderTests {
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("recipes/demo").path

    static func plan(_ configDir: String = demo, target: String = "GridDemo") throws -> BuildPlan {
        try RecipeContext(
            configDir: configDir, architecture: try Architecture("slc9_x86-64"), systemChecks: .noSystem,
            recipesBranch: "master"
        ).resolve(targets: [try PackageName(target)])
    }

    static func build(_ plan: BuildPlan, workDir: URL, configDir: String = demo) throws -> (BuildSummary, [BuildEvent]) {
        let events = EventLog()
        let builder = Builder(plan: plan, options: .init(workDir: workDir, configDir: configDir, jobs: 2), archiver: LibarchiveArchiver())
        let summary = try builder.run { events.append($0) }
        return (summary, events.all)
    }

    static func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("alien-build-\(name)-\(UUID().uuidString)")
    }

    static func storeDigests(_ workDir: URL) throws -> [String: String] {
        let store = workDir.appendingPathComponent("TARS/slc9_x86-64/store")
        var digests: [String: String] = [:]
        for case let url as URL in FileManager.default.enumerator(at: store, includingPropertiesForKeys: nil)! where url.pathExtension == "gz" {
            let result = try run("/usr/bin/sha256sum", [url.path])
            digests[url.lastPathComponent] = String(result.prefix(64))
        }
        return digests
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment.isEmpty ? nil : environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.start()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func demoBuildsReproduciblyAndRunsFromTheWorkDir() throws {
        let first = Self.temporary("a"), second = Self.temporary("b")
        defer { try? FileManager.default.removeItem(at: first); try? FileManager.default.removeItem(at: second) }
        let plan = try Self.plan()
        let (summary, _) = try Self.build(plan, workDir: first)
        #expect(summary.succeeded)
        #expect(summary.built.count == 5)
        let (again, _) = try Self.build(plan, workDir: second)
        #expect(again.succeeded)
        let digests = try Self.storeDigests(first)
        #expect(digests.count == 5)
        #expect(digests == (try Self.storeDigests(second)), "the same recipes give byte-identical tarballs in another work dir")

        let output = try Self.run(
            "/bin/bash", ["-c", ". \(second.path)/slc9_x86-64/GridDemo/v1-1/etc/profile.d/init.sh && hello-grid tester"],
            environment: ["PATH": "/usr/bin:/bin", "WORK_DIR": second.path])
        #expect(output == "Welcome to the demo stack\nHello from the grid, tester! (libgreet 1.0)\n")
        // Every package carries its environment manifest, which is what its init.sh says.
        for module in ["GridDemo/v1-1", "greeter/1.0-1", "greetings-data/2026.1-1"] {
            let installed = second.appendingPathComponent("slc9_x86-64/\(module)")
            let manifest = try Data(contentsOf: installed.appendingPathComponent(EnvironmentManifest.fileName))
            let initScript = try Data(contentsOf: installed.appendingPathComponent("etc/profile.d/init.sh"))
            #expect(Array(manifest) == (try InitScriptParser.parse(Array(initScript), file: module)).jsonBytes + [0x0A], "\(module)")
        }

        // A rerun takes everything as installed.
        let (rerun, _) = try Self.build(plan, workDir: first)
        #expect(rerun.built.isEmpty)
        #expect(rerun.cached.count == 5)
    }

    @Test func storeTarballsAreUnpackedInsteadOfRebuilt() throws {
        let work = Self.temporary("store")
        defer { try? FileManager.default.removeItem(at: work) }
        let plan = try Self.plan()
        _ = try Self.build(plan, workDir: work)
        try FileManager.default.removeItem(at: work.appendingPathComponent("slc9_x86-64"))
        let (summary, events) = try Self.build(plan, workDir: work)
        #expect(summary.built.isEmpty)
        #expect(events.contains { if case .cached(_, _, _, "store") = $0 { true } else { false } })
        #expect(FileManager.default.isExecutableFile(atPath: work.appendingPathComponent("slc9_x86-64/greeter/1.0-1/bin/greeter").path))
    }

    @Test func aFailureStopsDependantsAndLetsIndependentPackagesFinish() throws {
        let recipes = Self.temporary("recipes"), work = Self.temporary("fail")
        defer { try? FileManager.default.removeItem(at: recipes); try? FileManager.default.removeItem(at: work) }
        try FileManager.default.createDirectory(at: recipes, withIntermediateDirectories: true)
        let files = [
            "defaults-release.sh": "package: defaults-release\nversion: v1\n---\n",
            "top.sh": "package: top\nversion: v1\nrequires: [broken, fine]\n---\ntrue\n",
            "broken.sh": "package: broken\nversion: v1\n---\necho about to fail\nexit 3\n",
            "fine.sh": "package: fine\nversion: v1\n---\nmkdir -p $INSTALLROOT/share && echo ok > $INSTALLROOT/share/ok\n"
        ]
        for (name, text) in files { try text.write(to: recipes.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let (summary, _) = try Self.build(try Self.plan(recipes.path, target: "top"), workDir: work, configDir: recipes.path)
        #expect(!summary.succeeded)
        #expect(summary.failed.map(\.0.rawValue) == ["broken"])
        #expect(summary.skipped.map(\.rawValue) == ["top"])
        #expect(summary.built.map(\.build.name.rawValue).contains("fine"))
        guard case let .script(_, status, log, tail)? = summary.failed.first?.1 else {
            Issue.record("expected a script failure")
            return
        }
        #expect(status == 3)
        #expect(tail.contains { $0.contains("about to fail") })
        #expect(FileManager.default.fileExists(atPath: log))
        #expect(
            !FileManager.default.fileExists(atPath: work.appendingPathComponent("slc9_x86-64/broken").path),
            "nothing of a failed package is installed")
    }
}

extension BuilderTests {
    static func writeRecipes(_ files: [String: String]) throws -> URL {
        let directory = temporary("recipes")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return directory
    }

    @Test func sourcesComeFromGitAtTheTag() throws {
        let repository = Self.temporary("git"), work = Self.temporary("git-work")
        defer { try? FileManager.default.removeItem(at: repository); try? FileManager.default.removeItem(at: work) }
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        let git = { (arguments: [String]) throws in
            _ = try Self.run("/usr/bin/git", ["-C", repository.path, "-c", "user.name=t", "-c", "user.email=t@example.org"] + arguments)
        }
        try git(["init", "-q"])
        try "tagged\n".write(to: repository.appendingPathComponent("hello.txt"), atomically: true, encoding: .utf8)
        try git(["add", "hello.txt"])
        try git(["commit", "-q", "-m", "first"])
        try git(["tag", "v1"])
        try "later\n".write(to: repository.appendingPathComponent("hello.txt"), atomically: true, encoding: .utf8)
        try git(["commit", "-q", "-am", "second"])
        let recipes = try Self.writeRecipes([
            "defaults-release.sh": "package: defaults-release\nversion: v1\n---\n",
            "hello.sh":
                "package: hello\nversion: \"%(tag)s\"\ntag: v1\nsource: file://\(repository.path)\n---\nmkdir -p $INSTALLROOT/share\ncp $SOURCEDIR/hello.txt $INSTALLROOT/share/\n"
        ])
        defer { try? FileManager.default.removeItem(at: recipes) }
        let (summary, _) = try Self.build(try Self.plan(recipes.path, target: "hello"), workDir: work, configDir: recipes.path)
        #expect(summary.succeeded, "\(summary.failed)")
        let installed = try String(contentsOf: work.appendingPathComponent("slc9_x86-64/hello/v1-1/share/hello.txt"), encoding: .utf8)
        #expect(installed == "tagged\n")
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("SOURCES/hello/v1/v1/.git").path))
    }

    /// Two independent one-second packages: built side by side, then one at a time. The
    /// times are reported, not asserted (the machine may be busy).
    @Test func independentBranchesBuildInParallel() throws {
        let recipes = try Self.writeRecipes([
            "defaults-release.sh": "package: defaults-release\nversion: v1\n---\n",
            "top.sh": "package: top\nversion: v1\nrequires: [left, right]\n---\ntrue\n",
            "left.sh": "package: left\nversion: v1\n---\nsleep 1\n",
            "right.sh": "package: right\nversion: v1\n---\nsleep 1\n"
        ])
        defer { try? FileManager.default.removeItem(at: recipes) }
        let plan = try Self.plan(recipes.path, target: "top")
        var seconds: [Int: Double] = [:]
        for parallel in [2, 1] {
            let work = Self.temporary("parallel-\(parallel)")
            defer { try? FileManager.default.removeItem(at: work) }
            let builder = Builder(
                plan: plan, options: .init(workDir: work, configDir: recipes.path, jobs: 2, concurrentBuilds: parallel),
                archiver: LibarchiveArchiver())
            let start = Date()
            let summary = try builder.run { _ in }
            seconds[parallel] = Date().timeIntervalSince(start)
            #expect(summary.succeeded)
            #expect(summary.built.count == 4)
        }
        print(
            "parallel build of two independent 1 s packages: \(String(format: "%.2f", seconds[2]!)) s side by side, "
                + "\(String(format: "%.2f", seconds[1]!)) s one at a time")
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [BuildEvent] = []
    func append(_ event: BuildEvent) { lock.lock(); events.append(event); lock.unlock() }
    var all: [BuildEvent] { lock.lock(); defer { lock.unlock() }; return events }
}
