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
        /// The value. Entries prepended (`prepend`) are kept apart until it is read, so that a
        /// list a hundred packages prepend to is not copied whole at each of them.
        public var value: String {
            get { front.isEmpty ? base : Self.joined(front: front, base: base) }
            set {
                base = newValue
                front = []
            }
        }
        public var exported: Bool
        /// `value` is the entries of `front` (the newest last) in reverse order, each followed
        /// by `:`, then `base`.
        private var base: String
        private var front: [String] = []

        public init(value: String, exported: Bool) {
            base = value
            self.exported = exported
        }

        /// `value = entry + ":" + value`, without copying the value.
        mutating func prepend(_ entry: String) {
            front.append(entry)
        }

        /// `value += text`, in place.
        mutating func append(_ text: String) {
            if !front.isEmpty { value = Self.joined(front: front, base: base) }
            base += text
        }

        static func joined(front: [String], base: String) -> String {
            var count = base.utf8.count
            for entry in front { count += entry.utf8.count + 1 }
            return String(unsafeUninitializedCapacity: count) { buffer in
                var index = 0
                for entry in front.reversed() {
                    index = EnvironmentEvaluation.copyUTF8(entry, into: buffer, at: index)
                    buffer[index] = 0x3A
                    index += 1
                }
                return EnvironmentEvaluation.copyUTF8(base, into: buffer, at: index)
            }
        }

        public static func == (lhs: Self, rhs: Self) -> Bool { lhs.exported == rhs.exported && lhs.value == rhs.value }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(value)
            hasher.combine(exported)
        }
    }

    /// Finds the manifest of a dependency: the dependency and the packages directory init.sh
    /// would source it from (`$WORK_DIR/$ALIBUILD_ARCH_PREFIX` at that moment).
    public typealias Lookup = (EnvironmentManifest.Dependency, String) throws(EnvironmentManifestError) -> EnvironmentManifest

    public static let maximumDepth = 256

    /// The shell variables (see `Variables`: names hashed once a lookup, cheaply).
    public private(set) var table: Variables
    /// The shell variables as a dictionary.
    public var variables: [String: Variable] { table.dictionary }
    /// The packages being sourced, outermost first (a dependency among them would be sourced
    /// again and again); their count is the depth.
    private var sourcing: [EnvironmentManifest.Package] = []

    public init(environment: [String: String], shellDefaults: [String: String] = ShellVariables.bashDefaults) {
        var table = Variables(minimumCapacity: environment.count + shellDefaults.count)
        for (name, value) in shellDefaults where environment[name] == nil { table.set(name, Variable(value: value, exported: false)) }
        for (name, value) in environment { table.set(name, Variable(value: value, exported: true)) }
        self.table = table
    }

    /// Room for `count` more variables (a closure's manifests tell how many they can set).
    public mutating func reserveCapacity(_ count: Int) {
        table.reserveCapacity(count)
    }

    /// The exported variables: what `env` run afterwards would print.
    public var environment: [String: String] {
        var result: [String: String] = [:]
        result.reserveCapacity(table.count)
        for (name, variable) in zip(table.names, table.values) where variable.exported { result[name] = variable.value }
        return result
    }

    public func value(_ name: String) -> String? { table[name]?.value }

    /// `export name=value`.
    public mutating func export(_ name: String, _ value: String) {
        table.set(name, Variable(value: value, exported: true))
    }

    /// `. init.sh` of the manifest: its dependencies (each unless already loaded), then its own part.
    public mutating func source(_ manifest: EnvironmentManifest, lookup: Lookup) throws(EnvironmentManifestError) {
        try sourceDependencies(of: manifest, lookup: lookup)
        try applyOwn(manifest)
    }

    /// The first part of init.sh: the `ALIBUILD_ARCH_PREFIX` default and the dependency lines.
    public mutating func sourceDependencies(of manifest: EnvironmentManifest, lookup: Lookup) throws(EnvironmentManifestError) {
        // Module names are spelled for messages only (not once per package sourced).
        let package = manifest.package
        if let reason = manifest.withheld { throw .withheld(package: package.moduleName, reason: reason) }
        guard sourcing.count < Self.maximumDepth else {
            throw .evaluation(package: package.moduleName, reason: "init.sh files nested deeper than \(Self.maximumDepth)")
        }
        sourcing.append(package)
        defer { sourcing.removeLast() }
        if let architecture = manifest.architecture {
            let index = table.index(of: "ALIBUILD_ARCH_PREFIX")
            if (index.map { table.values[$0].value } ?? "").isEmpty {
                table.set("ALIBUILD_ARCH_PREFIX", Variable(value: architecture, exported: index.map { table.values[$0].exported } ?? false))
            }
        }
        for dependency in manifest.requires {
            if let guardValue = table[Self.concatenated(dependency.name.environmentPrefix, "_REVISION")]?.value, !guardValue.isEmpty { continue }
            if sourcing.contains(where: { Self.isSame($0, dependency) }) {
                throw .evaluation(
                    package: package.moduleName,
                    reason: "sources \(dependency.moduleName), which is already being sourced "
                        + "and would be again and again (\(dependency.guardVariable) is only set at its end)")
            }
            let directory = Self.joined(value("WORK_DIR") ?? "", "/", value("ALIBUILD_ARCH_PREFIX") ?? "")
            let found = try lookup(dependency, directory)
            guard found.package.name == dependency.name,
                (found.package.version == dependency.version && found.package.revision == dependency.revision)
                    || found.package.folder == dependency.folder
            else {
                throw .evaluation(package: package.moduleName, reason: "\(dependency.moduleName)'s init.sh describes \(found.package.moduleName)")
            }
            try source(found, lookup: lookup)
        }
    }

    /// Whether a package being sourced is the dependency: the same `Name/Ver-Rev` (names hold
    /// no `/`, versions and revisions are path components).
    static func isSame(_ package: EnvironmentManifest.Package, _ dependency: EnvironmentManifest.Dependency) -> Bool {
        guard package.name == dependency.name else { return false }
        if package.version == dependency.version, package.revision == dependency.revision { return true }
        return package.folder == dependency.folder
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
            if let index = table.index(of: entry.name) {
                table.values[index].append(":")
                table.values[index].append(items)
                table.values[index].exported = true
            } else {
                export(entry.name, ":" + items)
            }
        }
        for entry in manifest.prependPath {
            let items = try evaluate(entry.items, package: package)
            // `K="items${K+:$K}"`: in front of the old value (which is not copied).
            if let index = table.index(of: entry.name) {
                table.values[index].prepend(items)
                table.values[index].exported = true
            } else {
                export(entry.name, items)
            }
        }
    }

    /// `a + b + c` in one allocation (values grow to kilobytes: PATH after a hundred packages).
    static func joined(_ a: String, _ b: String, _ c: String) -> String {
        concatenated(a, b, c)
    }

    /// The texts one after the other, in one allocation: their UTF-8 copied whole (`env` builds
    /// a dozen values a package; `+=` costs hundreds of instructions a piece).
    static func concatenated(_ texts: String...) -> String {
        var count = 0
        for text in texts { count += text.utf8.count }
        return String(unsafeUninitializedCapacity: count) { buffer in
            var index = 0
            for text in texts { index = copyUTF8(text, into: buffer, at: index) }
            return index
        }
    }

    /// `concatenated(a, b)` without the variadic array (the usual case: `<PREFIX>_VERSION`).
    static func concatenated(_ a: String, _ b: String) -> String {
        String(unsafeUninitializedCapacity: a.utf8.count + b.utf8.count) { buffer in
            copyUTF8(b, into: buffer, at: copyUTF8(a, into: buffer, at: 0))
        }
    }

    /// Copies the UTF-8 of `text` into `buffer` from `index` (one memory copy when the string's
    /// bytes are contiguous, as native strings' are); returns the index after it.
    static func copyUTF8(_ text: String, into buffer: UnsafeMutableBufferPointer<UInt8>, at index: Int) -> Int {
        let copied = text.utf8.withContiguousStorageIfAvailable { bytes -> Int in
            if let source = bytes.baseAddress, !bytes.isEmpty {
                UnsafeMutableRawPointer(buffer.baseAddress! + index).copyMemory(from: source, byteCount: bytes.count)
            }
            return index + bytes.count
        }
        return copied ?? buffer[index...].initialize(fromContentsOf: text.utf8)
    }

    /// `manifest.ownVariables`, exported in their order without building their templates:
    /// `<NAME>_ROOT="$WORK_DIR/$ALIBUILD_ARCH_PREFIX/<name>/<ver>-<rev>"`,
    /// `RECC_PREFIX_MAP="$<NAME>_ROOT=/recc/<NAME>_ROOT:$RECC_PREFIX_MAP"`, then the literals.
    mutating func exportOwnVariables(of package: EnvironmentManifest.Package, prefix: String) {
        let rootName = Self.concatenated(prefix, "_ROOT")
        let workDirectory = value("WORK_DIR") ?? "", architecture = value("ALIBUILD_ARCH_PREFIX") ?? ""
        let root = Self.concatenated(workDirectory, "/", architecture, "/", package.name.rawValue, "/", package.version, "-", package.revision)
        // `RECC_PREFIX_MAP="<root>=/recc/<NAME>_ROOT:$RECC_PREFIX_MAP"` (unset is empty), in
        // front of the old value.
        let recc = Self.concatenated(root, "=/recc/", rootName)
        export(rootName, root)
        if let index = table.index(of: "RECC_PREFIX_MAP") {
            table.values[index].prepend(recc)
            table.values[index].exported = true
        } else {
            var variable = Variable(value: "", exported: true)
            variable.prepend(recc)
            table.set("RECC_PREFIX_MAP", variable)
        }
        export(Self.concatenated(prefix, "_VERSION"), package.version)
        export(Self.concatenated(prefix, "_REVISION"), package.revision)
        export(Self.concatenated(prefix, "_HASH"), package.hash)
        export(Self.concatenated(prefix, "_COMMIT"), package.commit)
    }

    /// A template's value now; unset references are empty, except `$SHELL`, which bash would
    /// take from the password database.
    func evaluate(_ template: EnvironmentTemplate, package: EnvironmentManifest.Package) throws(EnvironmentManifestError) -> String {
        let parts = template.parts
        // The usual shapes: a literal, `$<NAME>_ROOT/literal`.
        if parts.count == 1, case let .literal(text) = parts[0] { return text }
        if parts.count == 2, case let .variable(name) = parts[0], case let .literal(text) = parts[1], let variable = table[name] {
            return Self.concatenated(variable.value, text)
        }
        var result = ""
        // One allocation for the usual `$<NAME>_ROOT/literal` (roots are ~50 bytes).
        var room = 0
        for part in template.parts {
            switch part {
            case let .literal(text): room += text.utf8.count
            case .variable: room += 64
            }
        }
        result.reserveCapacity(room)
        for part in template.parts {
            switch part {
            case let .literal(text): result += text
            case let .variable(name):
                if let variable = table[name] {
                    result += variable.value
                } else if name == "SHELL" {
                    throw .evaluation(
                        package: package.moduleName,
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
