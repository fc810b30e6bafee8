import AlienModel
import Basics
import Foundation
import Recipes
import Resolver

/// Builds one package of a plan (or takes it from the store) and installs it into the work
/// directory, as aliBuild does for one entry of its build loop.
struct PackageBuilder: Sendable {
    let plan: BuildPlan
    let layout: BuildLayout
    let configDir: String
    let jobs: Int
    let archiver: any PackageArchiver
    let environment: [String: String]

    enum Outcome: Sendable { case built(Double), cached(String) }

    func build(_ package: ResolvedPackage, identities: [PackageName: PackageIdentity]) throws(BuildError) -> Outcome {
        let id = identities[package.name]!
        let packagePath = layout.packagePath(id.build)
        let installDir = layout.workDir.appendingPathComponent(packagePath)
        let tarball = layout.storeDirectory(hash: id.hash).appendingPathComponent(layout.tarballName(id.build))
        if (try? String(contentsOf: installDir.appendingPathComponent(".build-hash"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) == id.hash
        {
            try distLinks(package, identities: identities)
            return .cached("installed")
        }
        if FileManager.default.fileExists(atPath: tarball.path) {
            try install(tarball: tarball, id: id, packagePath: packagePath)
            try distLinks(package, identities: identities)
            return .cached("store")
        }
        let start = Date()
        // Before the build: a recipe whose environment no manifest can describe fails now.
        _ = try InitScript.manifest(for: package, identities: identities, architecture: plan.architecture)
        try checkOutSource(package, id: id)
        try runRecipe(package, id: id, identities: identities)
        let installRoot = layout.installRoot(hash: id.hash)
        let builtDir = installRoot.appendingPathComponent(packagePath)
        try finishInstallRoot(package, id: id, identities: identities, builtDir: builtDir, packagePath: packagePath)
        try store(package, id: id, installRoot: installRoot, packagePath: packagePath, tarball: tarball)
        try install(tarball: tarball, id: id, packagePath: packagePath)
        try distLinks(package, identities: identities)
        return .built(Date().timeIntervalSince(start))
    }

    // MARK: steps

    private func checkOutSource(_ package: ResolvedPackage, id: PackageIdentity) throws(BuildError) {
        guard let source = package.source else { return }
        let shortCommit = package.tag == package.commitHash ? package.commitHash : String(package.commitHash.prefix(10))
        let directory = layout.sourceDirectory(id.build.name, id.build.version.version, shortCommit)
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent(".git").path) { return }
        try? FileManager.default.removeItem(at: directory)
        try makeDirectory(directory.deletingLastPathComponent())
        try run(package, ["git", "clone", "--quiet", source, directory.path])
        try run(package, ["git", "-C", directory.path, "checkout", "--quiet", package.commitHash == package.tag ? package.tag : package.commitHash])
    }

    private func runRecipe(_ package: ResolvedPackage, id: PackageIdentity, identities: [PackageName: PackageIdentity]) throws(BuildError) {
        let specs = layout.specsDirectory(id.build)
        let buildRoot = layout.buildRoot(hash: id.hash)
        // A recipe's processes hold BUILD/.locks/<hash> (see BuildEnvironment.script) for as
        // long as any of them lives, even when a killed build orphaned them: wait for them
        // before touching its directories again.
        try waitForOrphans(of: id.hash)
        try? FileManager.default.removeItem(at: buildRoot)
        try makeDirectory(specs)
        try makeDirectory(buildRoot)
        let recipeFile = specs.appendingPathComponent("\(id.build.name).sh")
        let scriptFile = specs.appendingPathComponent("build.sh")
        let initDeps = try InitScript.generate(for: package, identities: identities, architecture: plan.architecture, postBuild: false)
        try write(package.recipe + "\n", to: recipeFile)
        try write(BuildEnvironment.script(initDeps: initDeps, recipeFile: recipeFile.path), to: scriptFile)
        let log = buildRoot.appendingPathComponent("log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        guard let handle = try? FileHandle(forWritingTo: log) else { throw .io(path: log.path, reason: "cannot write the build log") }
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [scriptFile.path]
        process.environment = environment.merging(
            BuildEnvironment.variables(
                for: package, identity: id, plan: plan, identities: identities, layout: layout, configDir: configDir, jobs: jobs)
        ) { $1 }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do { try process.start() } catch { throw .io(path: scriptFile.path, reason: "cannot start bash: \(error)") }
        process.waitUntilExit()
        guard process.terminationStatus == 0, process.terminationReason == .exit else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let tail = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(21).map(String.init)
            throw .script(package: id.build.name.rawValue, status: process.terminationStatus, log: log.path, tail: tail)
        }
    }

    /// init.sh with the package's own variables and its environment manifest
    /// (`.alien-environment.json`, what sites read instead of running init.sh), provenance, the
    /// hash, a modulefile when the recipe made none, and the relocation list.
    private func finishInstallRoot(
        _ package: ResolvedPackage, id: PackageIdentity, identities: [PackageName: PackageIdentity],
        builtDir: URL, packagePath: String
    ) throws(BuildError) {
        let initScript = try InitScript.generate(for: package, identities: identities, architecture: plan.architecture, postBuild: true)
        let manifest = try InitScript.manifest(for: package, identities: identities, architecture: plan.architecture)
        try makeDirectory(builtDir.appendingPathComponent("etc/profile.d"))
        try write(initScript + "\n", to: builtDir.appendingPathComponent("etc/profile.d/init.sh"))
        try write(String(decoding: manifest.jsonBytes, as: UTF8.self) + "\n", to: builtDir.appendingPathComponent(EnvironmentManifest.fileName))
        try write(Provenance.json(package, id: id, plan: plan, identities: identities), to: builtDir.appendingPathComponent(".meta.json"))
        try write(id.hash + "\n", to: builtDir.appendingPathComponent(".build-hash"))
        let modulefile = builtDir.appendingPathComponent("etc/modulefiles/\(id.build.name)")
        if !FileManager.default.fileExists(atPath: modulefile.path) {
            try makeDirectory(modulefile.deletingLastPathComponent())
            try write(Modulefile.generate(package, id: id, identities: identities, plan: plan), to: modulefile)
        }
        try Relocation.prepare(
            installDir: builtDir, packagePath: packagePath, hash: id.hash, revision: id.build.version.revision,
            buildPrefix: layout.workDir.path)
    }

    /// Packs into the store under a temporary name, renames, and links
    /// `TARS/<arch>/<pkg>/<tarball>` → `../../<arch>/store/<h2>/<hash>/<tarball>`.
    private func store(_ package: ResolvedPackage, id: PackageIdentity, installRoot: URL, packagePath: String, tarball: URL) throws(BuildError) {
        try makeDirectory(tarball.deletingLastPathComponent())
        do {
            _ = try archiver.pack(base: installRoot, relativePath: packagePath, to: tarball)
        } catch {
            throw .tarball(package: id.build.name.rawValue, error)
        }
        let links = layout.linksDirectory(id.build.name)
        try makeDirectory(links)
        let link = links.appendingPathComponent(tarball.lastPathComponent)
        try? FileManager.default.removeItem(at: link)
        let target = "../../\(layout.architecture)/store/\(id.hash.prefix(2))/\(id.hash)/\(tarball.lastPathComponent)"
        do { try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target) } catch {
            throw .io(path: link.path, reason: "\(error)")
        }
    }

    /// `TARS/<arch>/{dist,dist-direct,dist-runtime}/<pkg>/<pkg>-<ver>-<rev>/`: links to the
    /// package's tarball and to those of its full, direct and full runtime dependencies
    /// (aliBuild's `createDistLinks`), what a site needs to fetch to install it.
    private func distLinks(_ package: ResolvedPackage, identities: [PackageName: PackageIdentity]) throws(BuildError) {
        let id = identities[package.name]!
        for (kind, dependencies) in [
            ("dist", package.fullRequires), ("dist-direct", package.requires),
            ("dist-runtime", package.fullRuntimeRequires)
        ] {
            let directory = layout.workDir.appendingPathComponent("TARS/\(layout.architecture)/\(kind)/\(id.build.name)/\(id.build.name)-\(id.build.version)")
            try? FileManager.default.removeItem(at: directory)
            try makeDirectory(directory)
            for name in [package.name] + dependencies {
                guard let dependency = identities[name] else { continue }
                let file = layout.tarballName(dependency.build)
                let target = "../../../../../TARS/\(layout.architecture)/store/\(dependency.hash.prefix(2))/\(dependency.hash)/\(file)"
                do { try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent(file).path, withDestinationPath: target) } catch {
                    throw .io(path: directory.appendingPathComponent(file).path, reason: "\(error)")
                }
            }
        }
    }

    /// Unpacks into `TMP/<hash>`, relocates there for the final place, then renames it into
    /// place: a package directory exists only when complete (a kill leaves at most TMP/).
    private func install(tarball: URL, id: PackageIdentity, packagePath: String) throws(BuildError) {
        let stage = layout.workDir.appendingPathComponent("TMP/\(id.hash)")
        try? FileManager.default.removeItem(at: stage)
        try makeDirectory(stage.deletingLastPathComponent())
        do { try archiver.extract(tarball, into: stage) } catch {
            throw .tarball(package: id.build.name.rawValue, error)
        }
        defer { try? FileManager.default.removeItem(at: stage) }
        let final = layout.workDir.appendingPathComponent(packagePath)
        let unpacked = stage.appendingPathComponent(packagePath)
        try Relocation.relocate(unpacked, to: final.path, packagePath: packagePath, hash: id.hash, revision: id.build.version.revision)
        try makeDirectory(final.deletingLastPathComponent())
        try? FileManager.default.removeItem(at: final)
        do { try FileManager.default.moveItem(at: unpacked, to: final) } catch {
            throw .io(path: final.path, reason: "cannot move the unpacked package into place: \(error)")
        }
        for link in ["latest", "latest-\(plan.defaults)"] {
            let url = final.deletingLastPathComponent().appendingPathComponent(link)
            try? FileManager.default.removeItem(at: url)
            try? FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: "\(id.build.version)")
        }
    }

    // MARK: helpers

    private func waitForOrphans(of hash: String) throws(BuildError) {
        let directory = layout.workDir.appendingPathComponent("BUILD/.locks")
        try makeDirectory(directory)
        let path = directory.appendingPathComponent(hash).path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        flock(descriptor, LOCK_UN)
    }

    private func run(_ package: ResolvedPackage, _ arguments: [String]) throws(BuildError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.start() } catch { throw .source(package: package.name.rawValue, command: arguments.joined(separator: " "), output: "\(error)") }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw .source(
                package: package.name.rawValue, command: arguments.joined(separator: " "), output: output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    private func makeDirectory(_ url: URL) throws(BuildError) {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw .io(path: url.path, reason: "\(error)")
        }
    }

    private func write(_ text: String, to url: URL) throws(BuildError) {
        do { try text.write(to: url, atomically: true, encoding: .utf8) } catch {
            throw .io(path: url.path, reason: "\(error)")
        }
    }
}
