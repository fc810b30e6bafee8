public import AlienModel
import Recipes
public import Resolver

extension InitScript {
    /// The environment manifest of a built package, from the data `generate(postBuild: true)`
    /// writes init.sh from (the same entries, the same filtering of `DYLD_LIBRARY_PATH`, `bin`
    /// and `lib` put first). Sites compute the package's environment from it and never run
    /// init.sh, so a value the manifest cannot hold exactly (command substitution, `${X:-y}`, a
    /// key that is no shell variable, …) fails the build here, naming the recipe key.
    public static func manifest(
        for package: ResolvedPackage, identities: [PackageName: PackageIdentity],
        architecture: Architecture
    ) throws(BuildError) -> EnvironmentManifest {
        guard let own = identities[package.name] else {
            throw .badValue(package: package.name.rawValue, key: "identity", reason: "has no revision decided")
        }
        let requires = package.requires.compactMap { identities[$0] }.map {
            EnvironmentManifest.Dependency(name: $0.build.name, version: $0.build.version.version, revision: $0.build.version.revision)
        }
        var env: [EnvironmentManifest.Assignment] = []
        for entry in package.env?.entries ?? [] where str(entry.key) != "DYLD_LIBRARY_PATH" {
            env.append(.init(name: str(entry.key), value: try template(str(entry.value), package: package, key: "env", name: str(entry.key))))
        }
        var append: [EnvironmentManifest.PathEntry] = []
        for entry in package.appendPath?.entries ?? [] where str(entry.key) != "DYLD_LIBRARY_PATH" {
            let key = str(entry.key)
            append.append(
                .init(
                    name: key,
                    items: [
                        try template(
                            try joined(entry.value, package: package, key: "append_path"),
                            package: package, key: "append_path", name: key)
                    ]))
        }
        var prepend: [EnvironmentManifest.PathEntry] = []
        for entry in package.prependPath?.entries ?? [] where str(entry.key) != "DYLD_LIBRARY_PATH" {
            let key = str(entry.key)
            let items = try template(try joined(entry.value, package: package, key: "prepend_path"), package: package, key: "prepend_path", name: key)
            prepend.append(.init(name: key, items: entry.value.asList.isEmpty ? [] : [items]))
        }
        let root = own.variablePrefix + "_ROOT"
        for (key, directory) in [("PATH", "bin"), ("LD_LIBRARY_PATH", "lib")] {
            let first = EnvironmentTemplate(parts: [.variable(root), .literal("/\(directory)")])
            if let index = prepend.firstIndex(where: { $0.name == key }) {
                prepend[index].items.insert(first, at: 0)
            } else {
                prepend.append(.init(name: key, items: [first]))
            }
        }
        let manifest = EnvironmentManifest(
            architecture: architecture.rawValue,
            package: .init(
                name: own.build.name, version: own.build.version.version, revision: own.build.version.revision, hash: own.hash, commit: own.commitHash),
            requires: requires, env: env, appendPath: append, prependPath: prepend
        ).normalized()
        do { try manifest.validate() } catch {
            throw .badValue(package: package.name.rawValue, key: "environment", reason: "cannot be described by an environment manifest: \(error)")
        }
        return manifest
    }

    static func template(_ text: String, package: ResolvedPackage, key: String, name: String) throws(BuildError) -> EnvironmentTemplate {
        do { return try EnvironmentTemplate(shellDoubleQuoted: text) } catch {
            throw .badValue(
                package: package.name.rawValue, key: "\(key).\(name)",
                reason: "\(error): sites compute environments without running init.sh, so values may only "
                    + "reference variables ($VAR, ${VAR}); write \\$ for a dollar sign")
        }
    }
}
