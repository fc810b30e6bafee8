/// What a package's `etc/profile.d/init.sh` does, as data: the environment of a package is
/// computed from it without running anything (DESIGN.md "Environment manifest").
///
/// aliBuild's init.sh (build.py `generate_initdotsh`) is, in this order:
/// 1. `: "${ALIBUILD_ARCH_PREFIX:=<arch>}"`;
/// 2. per entry of `requires`: `[ -n "${<DEP>_REVISION}" ] || . "$WORK_DIR/$ALIBUILD_ARCH_PREFIX"/<dep>/<ver>-<rev>/etc/profile.d/init.sh`;
/// 3. the package's own variables: `<NAME>_ROOT` (`$WORK_DIR/$ALIBUILD_ARCH_PREFIX/<name>/<ver>-<rev>`),
///    `RECC_PREFIX_MAP`, `<NAME>_VERSION`, `_REVISION`, `_HASH`, `_COMMIT` (from `package`);
/// 4. `env`: `export K="<template>"`;
/// 5. `append_path`: `export K="$K:<items joined by :>"`;
/// 6. `prepend_path`: `export K="<items joined by :>${K+:$K}"` (with `$<NAME>_ROOT/bin` first in
///    `PATH` and `$<NAME>_ROOT/lib` first in `LD_LIBRARY_PATH`, as aliBuild adds them).
///
/// The normal form (`normalized()`, what the reader and every writer produce) makes equal
/// init.sh files give equal manifests: list items split at literal `:`, and a tail of `env`
/// entries of the form `K="$K:…"` moved to `append_path` (bash cannot tell them apart).
public struct EnvironmentManifest: Hashable, Sendable {
    public static let format = "alien-environment/1"
    /// The file name inside a package directory (and inside its tarball).
    public static let fileName = ".alien-environment.json"

    public struct Package: Hashable, Sendable {
        public var name: PackageName
        public var version: String
        public var revision: String
        public var hash: String
        public var commit: String

        public init(name: PackageName, version: String, revision: String, hash: String, commit: String) {
            self.name = name
            self.version = version
            self.revision = revision
            self.hash = hash
            self.commit = commit
        }

        /// `<Version>-<Revision>`, the folder below the name.
        public var folder: String { "\(version)-\(revision)" }
        /// `Name/Version-Revision`.
        public var moduleName: String { "\(name.rawValue)/\(folder)" }
    }

    /// A package whose init.sh this one sources, if its `<NAME>_REVISION` is empty.
    public struct Dependency: Hashable, Sendable {
        public var name: PackageName
        public var version: String
        public var revision: String

        public init(name: PackageName, version: String, revision: String) {
            self.name = name
            self.version = version
            self.revision = revision
        }

        public var folder: String { "\(version)-\(revision)" }
        public var moduleName: String { "\(name.rawValue)/\(folder)" }
        /// The variable whose non-empty value skips it: `<NAME>_REVISION`.
        public var guardVariable: String { name.environmentPrefix + "_REVISION" }
    }

    /// `export name="value"`.
    public struct Assignment: Hashable, Sendable {
        public var name: String
        public var value: EnvironmentTemplate
        public init(name: String, value: EnvironmentTemplate) {
            self.name = name
            self.value = value
        }
    }

    /// A list added to a variable, items joined with `:`.
    public struct PathEntry: Hashable, Sendable {
        public var name: String
        public var items: [EnvironmentTemplate]
        public init(name: String, items: [EnvironmentTemplate]) {
            self.name = name
            self.items = items
        }
    }

    /// The `ALIBUILD_ARCH_PREFIX` default of the first line (nil: the line is absent).
    public var architecture: String?
    public var package: Package
    public var requires: [Dependency]
    public var env: [Assignment]
    public var appendPath: [PathEntry]
    public var prependPath: [PathEntry]
    /// Set when the package was installed without an environment (the area allowed an init.sh
    /// the parser refused): why. Evaluating such a manifest fails with this reason.
    public var withheld: String?

    public init(
        architecture: String?, package: Package, requires: [Dependency], env: [Assignment] = [],
        appendPath: [PathEntry] = [], prependPath: [PathEntry] = [], withheld: String? = nil
    ) {
        self.architecture = architecture
        self.package = package
        self.requires = requires
        self.env = env
        self.appendPath = appendPath
        self.prependPath = prependPath
        self.withheld = withheld
    }

    /// A manifest for a package whose environment is not known: identity and reason only.
    public static func withheld(package: Package, architecture: String?, reason: String) -> EnvironmentManifest {
        EnvironmentManifest(architecture: architecture, package: package, requires: [], withheld: reason)
    }

    /// `<NAME>` of the package's own variables.
    public var prefix: String { package.name.environmentPrefix }

    /// How many `ownVariables` there are.
    public var ownVariableCount: Int { 6 }

    /// The package's own variables as init.sh sets them, in order.
    public var ownVariables: [Assignment] {
        let root = prefix + "_ROOT"
        return [
            Assignment(
                name: root,
                value: EnvironmentTemplate(parts: [
                    .variable("WORK_DIR"), .literal("/"), .variable("ALIBUILD_ARCH_PREFIX"),
                    .literal("/\(package.name.rawValue)/\(package.folder)")
                ])),
            Assignment(
                name: "RECC_PREFIX_MAP",
                value: EnvironmentTemplate(parts: [
                    .variable(root), .literal("=/recc/\(root):"), .variable("RECC_PREFIX_MAP")
                ])),
            Assignment(name: prefix + "_VERSION", value: .literal(package.version)),
            Assignment(name: prefix + "_REVISION", value: .literal(package.revision)),
            Assignment(name: prefix + "_HASH", value: .literal(package.hash)),
            Assignment(name: prefix + "_COMMIT", value: .literal(package.commit))
        ]
    }

    /// The normal form: list items split at literal `:`; the longest tail of `env` whose entries
    /// read `K="$K:…"` moved to the front of `append_path`.
    public func normalized() -> EnvironmentManifest {
        var result = self
        var moved: [PathEntry] = []
        while let last = result.env.last, let rest = Self.appendForm(last) {
            moved.insert(PathEntry(name: last.name, items: [rest]), at: 0)
            result.env.removeLast()
        }
        result.appendPath = moved + result.appendPath
        result.appendPath = result.appendPath.map { PathEntry(name: $0.name, items: EnvironmentTemplate.joined($0.items).splitAtColons()) }
        result.prependPath = result.prependPath.map { PathEntry(name: $0.name, items: EnvironmentTemplate.joined($0.items).splitAtColons()) }
        return result
    }

    /// Whether the manifest is in normal form (`normalized() == self`), without building it:
    /// no `env` tail to move (the last entry is not `K="$K:…"`) and no list item holding a
    /// literal `:` (joining items with `:` and splitting at `:` then gives them back).
    public var isNormalized: Bool {
        if let last = env.last, Self.appendForm(last) != nil { return false }
        func hasColon(_ entries: [PathEntry]) -> Bool {
            for entry in entries {
                for item in entry.items {
                    for case let .literal(text) in item.parts where text.utf8.contains(0x3A) { return true }
                }
            }
            return false
        }
        return !hasColon(appendPath) && !hasColon(prependPath)
    }

    /// `K="$K:rest"` → `rest`.
    static func appendForm(_ assignment: Assignment) -> EnvironmentTemplate? {
        let parts = assignment.value.parts
        guard parts.count >= 2, parts[0] == .variable(assignment.name), case let .literal(text) = parts[1], text.hasPrefix(":") else {
            return nil
        }
        return EnvironmentTemplate(parts: [.literal(String(text.dropFirst()))] + parts.dropFirst(2))
    }

    /// Checks what the types cannot: names are shell variables that bash leaves alone, versions
    /// and revisions are single path components, the identity gives a valid variable prefix.
    public func validate() throws(EnvironmentManifestError) {
        func fail(_ reason: String) -> EnvironmentManifestError { .invalid(package: package.moduleName, reason: reason) }
        guard Self.givesVariableNames(package.name) else {
            throw fail("the package name \(package.name.rawValue) gives no shell variable name (\(prefix)_ROOT)")
        }
        // Two checks, not a loop over a new array (`env` validates a hundred manifests a call).
        if let text = Self.firstNonComponent(package.version, package.revision) {
            throw fail("version and revision must be non-empty path components without '/', got \(text)")
        }
        for dependency in requires {
            guard Self.givesVariableNames(dependency.name) else {
                throw fail("the dependency name \(dependency.name.rawValue) gives no shell variable name (\(dependency.guardVariable))")
            }
            if let text = Self.firstNonComponent(dependency.version, dependency.revision) {
                throw fail("dependency \(dependency.name.rawValue): version and revision must be path components, got \(text)")
            }
        }
        func checkName(_ name: String) throws(EnvironmentManifestError) {
            guard ShellVariables.isName(name) else { throw fail("\(name) is not a shell variable name") }
            guard !ShellVariables.isShellOwned(name) else { throw fail("\(name) is a variable bash sets itself") }
        }
        func checkReferences(_ template: EnvironmentTemplate) throws(EnvironmentManifestError) {
            for case let .variable(name) in template.parts where ShellVariables.isShellOwned(name) {
                throw fail("a value refers to $\(name), which bash sets itself")
            }
        }
        // In this order: the names (env, append_path, prepend_path), then the values.
        for assignment in env { try checkName(assignment.name) }
        for entry in appendPath { try checkName(entry.name) }
        for entry in prependPath { try checkName(entry.name) }
        for assignment in env { try checkReferences(assignment.value) }
        for entry in appendPath { for item in entry.items { try checkReferences(item) } }
        for entry in prependPath { for item in entry.items { try checkReferences(item) } }
        if let architecture, architecture.utf8.contains(where: { $0 == 0x7D || $0 == 0x22 || $0 == 0x5C || $0 == 0x24 || $0 == 0x60 || $0 == 0x0A }) {
            throw fail("the architecture \(architecture) holds characters the init.sh line cannot carry")
        }
    }

    /// Whether `<PREFIX>_ROOT`, `<PREFIX>_REVISION`… of the name are shell variable names
    /// (`ShellVariables.isName(name.environmentPrefix + "_ROOT")`), read from the name's bytes
    /// without spelling the prefix: `-` becomes `_` and letters are upper-cased, so the name is
    /// `[A-Za-z_-][A-Za-z0-9_-]*`.
    static func givesVariableNames(_ name: PackageName) -> Bool {
        let checked = name.rawValue.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            guard let first = bytes.first else { return false }
            func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F || byte == 0x2D }
            guard isLetter(first) else { return bytes.contains(where: { $0 >= 0x80 }) ? nil : false }
            for byte in bytes where !(isLetter(byte) || (0x30...0x39).contains(byte)) {
                return byte >= 0x80 ? nil : false
            }
            return true
        }
        // Anything but ASCII (which a valid name never holds) is upper-cased by Unicode.
        if let checked, let checked { return checked }
        return ShellVariables.isName(name.environmentPrefix + "_ROOT")
    }

    /// The first of a version and a revision that is not a path component.
    static func firstNonComponent(_ version: String, _ revision: String) -> String? {
        !isPathComponent(version) ? version : !isPathComponent(revision) ? revision : nil
    }

    static func isPathComponent(_ text: String) -> Bool {
        let count = text.utf8.count
        return count > 0 && !(count <= 2 && (text == "." || text == "..")) && !text.utf8.contains(where: { $0 == 0x2F || $0 == 0 || $0 == 0x0A })
    }
}

/// Why a manifest could not be read, built or evaluated. Each case says where.
public enum EnvironmentManifestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An init.sh line the strict parser does not understand: `file:line: reason`.
    case initScript(file: String, line: Int, reason: String)
    /// A manifest file that is not a valid manifest.
    case manifest(file: String, reason: String)
    /// A manifest whose content breaks a rule (names, versions).
    case invalid(package: String, reason: String)
    /// Evaluation failed: a dependency missing, a cycle, an unknown variable.
    case evaluation(package: String, reason: String)
    /// The package was installed without an environment.
    case withheld(package: String, reason: String)

    public var description: String {
        switch self {
        case let .initScript(file, line, reason): "\(file):\(line): \(reason)"
        case let .manifest(file, reason): "\(file): \(reason)"
        case let .invalid(package, reason): "environment manifest of \(package): \(reason)"
        case let .evaluation(package, reason): "environment of \(package): \(reason)"
        case let .withheld(package, reason):
            "\(package) was installed without an environment (its init.sh is never run): \(reason)"
        }
    }
}
