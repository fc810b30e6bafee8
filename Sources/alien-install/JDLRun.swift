import AlienModel
import ArgumentParser
import Dispatch
import Foundation
import JDL
import SoftwareArea
import Transport

/// `alien-install run --jdl FILE [ARGS...] [--job-id ID] [-- CMD...]`: the job's packages made
/// present, leased for the job's lifetime, the command run as a child in their environment,
/// the lease released (also on failure or a signal), the command's exit status returned.
struct JDLJob {
    var file: String
    var arguments: [String]
    var jobID: String?
    var command: [String]
    var areaOptions: EnvironmentAreaOptions
    var defaultOwner = PackageID.defaultOwner

    func run() async throws -> Int32 {
        let check = try loadJDL(file: file, arguments: arguments, defaultOwner: defaultOwner)
        guard check.succeeded else { throw Output.fail("\(file): " + check.problems.joined(separator: "; ")) }
        let requests = check.packages.entries.map(\.id)
        let environmentArea = try areaOptions.resolve()
        let area = try Output.run {
            try SoftwareArea.open(root: environmentArea.root.path, arch: environmentArea.architecture.rawValue, fetcher: HTTPClient(),
                                  reporter: StderrReporter())
        }
        let present = try await makePresent(requests, in: area)
        let holder = jobID ?? "jdl-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let ttl = Self.leaseSeconds(check.document)
        try Output.run { try area.acquireLease(holder: holder, packages: present.all, ttl: ttl) }
        let status: Int32
        do {
            let program = try command.isEmpty ? Self.jdlCommand(check.document, file: file) : command
            let selected = try Output.run { try environmentArea.resolve(present.roots) }
            let base = ProcessInfo.processInfo.environment.merging(["ALIEN_JOB_ID": holder]) { $1 }
            let changes = try Output.run {
                _ = try environmentArea.closure(of: selected)
                return try EnvironmentLoader().changes(area: environmentArea, packages: selected, base: base)
            }
            status = try Self.spawn(program, environment: changes.applied(to: base))
        } catch {
            _ = try? area.releaseLease(holder: holder)
            throw error
        }
        try Output.run { _ = try area.releaseLease(holder: holder) }
        return status
    }

    /// The roots (as exact `Name::Version-Rev` requests) and everything to lease.
    struct Present {
        var roots: [PackageID]
        var all: [PackageID]
    }

    /// Installs through the area when it knows a trusted repository (closure included);
    /// otherwise takes what is installed, naming what is missing.
    private func makePresent(_ requests: [PackageID], in area: SoftwareArea) async throws -> Present {
        func exact(_ key: PackageKey) throws -> PackageID {
            try Output.run { PackageID(name: try PackageName(key.name), version: .exact("\(key.version)-\(key.revision)")) }
        }
        if area.configuration.repository != nil, FileManager.default.fileExists(atPath: "\(area.layout.trust)/root.json") {
            let outcomes = try await Output.runAsync { try await area.install(requests) }
            var roots: [PackageID] = []
            for request in requests {
                guard let outcome = outcomes.first(where: {
                    $0.package.name == request.name.rawValue && request.version.matches(version: $0.package.version, revision: $0.package.revision)
                }) else { continue }
                roots.append(try exact(outcome.package))
            }
            return Present(roots: roots, all: try outcomes.map { try exact($0.package) })
        }
        var roots: [PackageID] = []
        var missing: [String] = []
        for request in requests {
            if let match = area.installed(matching: request).first { roots.append(try exact(match.key)) } else { missing.append(request.description) }
        }
        if !missing.isEmpty {
            throw Output.fail("not installed in \(area.layout.root) (and the area knows no repository to install from): \(missing.joined(separator: ", "))")
        }
        return Present(roots: roots, all: roots)
    }

    /// The JDL's `TTL` plus an hour, else a day.
    static func leaseSeconds(_ document: JDLDocument) -> Int64 {
        switch document["TTL"] {
        case let .number(text), let .string(text): (Int64(text.trimmingCharacters(in: .whitespaces)) ?? 82_800) + 3_600
        default: 86_400
        }
    }

    /// `Executable` with `Arguments` split at blanks.
    static func jdlCommand(_ document: JDLDocument, file: String) throws -> [String] {
        guard let executable = document["Executable"]?.stringValue, !executable.isEmpty else {
            throw Output.fail("\(file): no Executable, and no command given after --")
        }
        let arguments: [String]
        switch document["Arguments"] {
        case let .string(text)?: arguments = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        case let .list(items)?: arguments = items.compactMap(\.stringValue)
        default: arguments = []
        }
        return [executable] + arguments
    }

    /// Runs `command` as a child (looked up in the environment's PATH); SIGINT/SIGTERM/SIGHUP
    /// are forwarded to it. Returns its exit status (128 + signal when it was killed).
    static func spawn(_ command: [String], environment: [String: String]) throws -> Int32 {
        guard let program = command.first else { throw Output.fail("no command given") }
        var path = program
        if !program.contains("/") {
            let directories = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false)
            guard let found = directories.map({ ($0.isEmpty ? "." : String($0)) + "/" + program })
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw Output.fail("\(program): command not found in the environment's PATH", code: 127)
            }
            path = found
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(command.dropFirst())
        process.environment = environment
        do { try process.run() } catch {
            throw Output.fail("cannot run \(path): \(error.localizedDescription)", code: 126)
        }
        // After the spawn, so the child starts with default signal dispositions.
        let signals = [SIGINT, SIGTERM, SIGHUP]
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [process] in if process.isRunning { kill(process.processIdentifier, number) } }
            source.resume()
            sources.append(source)
        }
        defer {
            for source in sources { source.cancel() }
            for number in signals { signal(number, SIG_DFL) }
        }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}

/// Area progress on stderr, so that stdout is the job's.
struct StderrReporter: AreaReporter {
    func report(_ event: AreaEvent) {
        FileHandle.standardError.write(Data((event.text + "\n").utf8))
    }
}
