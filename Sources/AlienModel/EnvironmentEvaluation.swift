/// Sourcing init.sh files, computed from their manifests: the shell variables bash would hold
/// after `. init.sh` of each manifest in turn, and so the environment it would export.
///
/// Exactly bash's semantics for the grammar a manifest has: `:=` gives `ALIBUILD_ARCH_PREFIX`
/// a value only when it is unset or empty (and does not export a new one); a dependency is
/// sourced only when its `<DEP>_REVISION` is empty, from the path
/// `$WORK_DIR/$ALIBUILD_ARCH_PREFIX/<dep>/<ver>-<rev>` as the variables are at that moment;
/// unset references are empty; `${K+:$K}` adds `:$K` when `K` is set, even to an empty value;
/// variables bash sets for itself when they are missing from its environment start with
/// bash's values, unexported (`ShellVariables.bashDefaults`).
public struct EnvironmentEvaluation: Sendable {
    public struct Variable: Hashable, Sendable {
        public var value: String
        public var exported: Bool
    }

    /// Finds the manifest of a dependency: the dependency and the packages directory init.sh
    /// would source it from (`$WORK_DIR/$ALIBUILD_ARCH_PREFIX` at that moment).
    public typealias Lookup = (EnvironmentManifest.Dependency, String) throws(EnvironmentManifestError) -> EnvironmentManifest

    public static let maximumDepth = 256

    public private(set) var variables: [String: Variable]
    /// How deep the sourcing is, and the module names being sourced (a dependency among
    /// them would be sourced again and again).
    private var depth = 0
    private var sourcing: Set<String> = []

    public init(environment: [String: String], shellDefaults: [String: String] = ShellVariables.bashDefaults) {
        var variables: [String: Variable] = [:]
        variables.reserveCapacity(environment.count + shellDefaults.count)
        for (name, value) in shellDefaults where environment[name] == nil { variables[name] = Variable(value: value, exported: false) }
        for (name, value) in environment { variables[name] = Variable(value: value, exported: true) }
        self.variables = variables
    }

    /// Room for `count` more variables (a closure's manifests tell how many they can set).
    public mutating func reserveCapacity(_ count: Int) {
        variables.reserveCapacity(variables.count + count)
    }

    /// The exported variables: what `env` run afterwards would print.
    public var environment: [String: String] {
        var result: [String: String] = [:]
        result.reserveCapacity(variables.count)
        for (name, variable) in variables where variable.exported { result[name] = variable.value }
        return result
    }

    public func value(_ name: String) -> String? { variables[name]?.value }

    /// `export name=value`.
    public mutating func export(_ name: String, _ value: String) {
        variables[name] = Variable(value: value, exported: true)
    }

    /// `. init.sh` of the manifest: its dependencies (each unless already loaded), then its own part.
    public mutating func source(_ manifest: EnvironmentManifest, lookup: Lookup) throws(EnvironmentManifestError) {
        try sourceDependencies(of: manifest, lookup: lookup)
        try applyOwn(manifest)
    }

    /// The first part of init.sh: the `ALIBUILD_ARCH_PREFIX` default and the dependency lines.
    public mutating func sourceDependencies(of manifest: EnvironmentManifest, lookup: Lookup) throws(EnvironmentManifestError) {
        let module = manifest.package.moduleName
        if let reason = manifest.withheld { throw .withheld(package: module, reason: reason) }
        guard depth < Self.maximumDepth else {
            throw .evaluation(package: module, reason: "init.sh files nested deeper than \(Self.maximumDepth)")
        }
        depth += 1
        sourcing.insert(module)
        defer {
            depth -= 1
            sourcing.remove(module)
        }
        if let architecture = manifest.architecture, (variables["ALIBUILD_ARCH_PREFIX"]?.value ?? "").isEmpty {
            variables["ALIBUILD_ARCH_PREFIX"] = Variable(value: architecture, exported: variables["ALIBUILD_ARCH_PREFIX"]?.exported ?? false)
        }
        for dependency in manifest.requires {
            if let guardValue = variables[dependency.guardVariable]?.value, !guardValue.isEmpty { continue }
            if sourcing.contains(dependency.moduleName) {
                throw .evaluation(package: module, reason: "sources \(dependency.moduleName), which is already being sourced "
                                  + "and would be again and again (\(dependency.guardVariable) is only set at its end)")
            }
            let directory = Self.joined(value("WORK_DIR") ?? "", "/", value("ALIBUILD_ARCH_PREFIX") ?? "")
            let found = try lookup(dependency, directory)
            guard found.package.name == dependency.name,
                  (found.package.version == dependency.version && found.package.revision == dependency.revision)
                    || found.package.folder == dependency.folder else {
                throw .evaluation(package: module, reason: "\(dependency.moduleName)'s init.sh describes \(found.package.moduleName)")
            }
            try source(found, lookup: lookup)
        }
    }

    /// The rest of init.sh: the package's own variables, `env`, `append_path`, `prepend_path`.
    public mutating func applyOwn(_ manifest: EnvironmentManifest) throws(EnvironmentManifestError) {
        let package = manifest.package
        if let reason = manifest.withheld { throw .withheld(package: package.moduleName, reason: reason) }
        exportOwnVariables(of: package, prefix: manifest.prefix)
        for assignment in manifest.env {
            export(assignment.name, try evaluate(assignment.value, package: package))
        }
        for entry in manifest.appendPath {
            let items = try evaluate(entry.items, package: package)
            // `K="$K:items"`, appended in place (the old value is not copied).
            if variables[entry.name] != nil {
                variables[entry.name]!.value += ":" + items
                variables[entry.name]!.exported = true
            } else {
                export(entry.name, ":" + items)
            }
        }
        for entry in manifest.prependPath {
            let items = try evaluate(entry.items, package: package)
            export(entry.name, value(entry.name).map { Self.joined(items, ":", $0) } ?? items)
        }
    }

    /// `a + b + c` in one allocation (values grow to kilobytes: PATH after a hundred packages).
    static func joined(_ a: String, _ b: String, _ c: String) -> String {
        var result = ""
        result.reserveCapacity(a.utf8.count + b.utf8.count + c.utf8.count)
        result += a
        result += b
        result += c
        return result
    }

    /// `manifest.ownVariables`, exported in their order without building their templates:
    /// `<NAME>_ROOT="$WORK_DIR/$ALIBUILD_ARCH_PREFIX/<name>/<ver>-<rev>"`,
    /// `RECC_PREFIX_MAP="$<NAME>_ROOT=/recc/<NAME>_ROOT:$RECC_PREFIX_MAP"`, then the literals.
    mutating func exportOwnVariables(of package: EnvironmentManifest.Package, prefix: String) {
        let rootName = prefix + "_ROOT"
        let workDirectory = value("WORK_DIR") ?? "", architecture = value("ALIBUILD_ARCH_PREFIX") ?? ""
        var root = ""
        root.reserveCapacity(workDirectory.utf8.count + architecture.utf8.count + package.name.rawValue.utf8.count
                             + package.version.utf8.count + package.revision.utf8.count + 4)
        root += workDirectory
        root += "/"
        root += architecture
        root += "/"
        root += package.name.rawValue
        root += "/"
        root += package.version
        root += "-"
        root += package.revision
        export(rootName, root)
        export("RECC_PREFIX_MAP", Self.joined(root, "=/recc/" + rootName + ":", value("RECC_PREFIX_MAP") ?? ""))
        export(prefix + "_VERSION", package.version)
        export(prefix + "_REVISION", package.revision)
        export(prefix + "_HASH", package.hash)
        export(prefix + "_COMMIT", package.commit)
    }

    /// A template's value now; unset references are empty, except `$SHELL`, which bash would
    /// take from the password database.
    func evaluate(_ template: EnvironmentTemplate, package: EnvironmentManifest.Package) throws(EnvironmentManifestError) -> String {
        var result = ""
        for part in template.parts {
            switch part {
            case let .literal(text): result += text
            case let .variable(name):
                if let variable = variables[name] {
                    result += variable.value
                } else if name == "SHELL" {
                    throw .evaluation(package: package.moduleName,
                                      reason: "a value refers to $SHELL, which is not in the environment (bash would take the login shell)")
                }
            }
        }
        return result
    }

    /// A list's value: the items' values joined with `:` (the value of `EnvironmentTemplate.joined(items)`).
    func evaluate(_ items: [EnvironmentTemplate], package: EnvironmentManifest.Package) throws(EnvironmentManifestError) -> String {
        if items.count == 1 { return try evaluate(items[0], package: package) }
        var result = ""
        for (offset, item) in items.enumerated() {
            if offset > 0 { result += ":" }
            result += try evaluate(item, package: package)
        }
        return result
    }
}
