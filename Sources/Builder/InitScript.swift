public import AlienModel
import Recipes
public import Resolver

/// What a package is known as once its revision is decided: the build, aliBuild's package
/// hash and the source commit.
public struct PackageIdentity: Hashable, Sendable {
    public var build: PackageBuild
    public var hash: String
    public var commitHash: String

    public init(build: PackageBuild, hash: String, commitHash: String) {
        self.build = build
        self.hash = hash
        self.commitHash = commitHash
    }

    /// `ROOT` → `ROOT`, `AliEn-Runtime` → `ALIEN_RUNTIME`.
    public var variablePrefix: String { build.name.environmentPrefix }
}

/// `etc/profile.d/init.sh` exactly as aliBuild writes it (build.py `generate_initdotsh`):
/// the dependencies' init.sh first, then (after the build) the package's own variables,
/// `env`, `append_path` and `prepend_path` (with `bin` and `lib` put first).
public enum InitScript {
    public static func generate(
        for package: ResolvedPackage, identities: [PackageName: PackageIdentity],
        architecture: Architecture, postBuild: Bool
    ) throws(BuildError) -> String {
        var lines = [": \"${ALIBUILD_ARCH_PREFIX:=\(architecture)}\""]
        for dependency in package.requires {
            guard let id = identities[dependency] else { continue }
            lines.append(
                "[ -n \"${\(id.variablePrefix)_REVISION}\" ] || . \"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/"
                    + "\(PythonFormat.shellQuote(id.build.name.rawValue))/\(PythonFormat.shellQuote(id.build.version.version))-\(PythonFormat.shellQuote(id.build.version.revision))"
                    + "/etc/profile.d/init.sh")
        }
        guard postBuild, let own = identities[package.name] else { return lines.joined(separator: "\n") }
        let big = own.variablePrefix
        let q = PythonFormat.shellQuote
        lines += [
            "export \(big)_ROOT=\"$WORK_DIR/$ALIBUILD_ARCH_PREFIX\"/\(q(own.build.name.rawValue))/\(q(own.build.version.version))-\(q(own.build.version.revision))",
            "export RECC_PREFIX_MAP=\"$\(big)_ROOT=/recc/\(big)_ROOT:$RECC_PREFIX_MAP\"",
            "export \(big)_VERSION=\(q(own.build.version.version))",
            "export \(big)_REVISION=\(q(own.build.version.revision))",
            "export \(big)_HASH=\(q(own.hash))",
            "export \(big)_COMMIT=\(q(own.commitHash))"
        ]
        for entry in package.env?.entries ?? [] where str(entry.key) != "DYLD_LIBRARY_PATH" {
            lines.append("export \(str(entry.key))=\"\(str(entry.value))\"")
        }
        for entry in package.appendPath?.entries ?? [] where str(entry.key) != "DYLD_LIBRARY_PATH" {
            let key = str(entry.key)
            lines.append("export \(key)=\"$\(key):\(try joined(entry.value, package: package, key: "append_path"))\"")
        }
        var prepend: [(String, [String])] = []
        for entry in package.prependPath?.entries ?? [] where str(entry.key) != "DYLD_LIBRARY_PATH" {
            prepend.append((str(entry.key), try entry.value.asList.map { value throws(BuildError) in try text(value, package: package, key: "prepend_path") }))
        }
        for (key, directory) in [("PATH", "bin"), ("LD_LIBRARY_PATH", "lib")] {
            if let index = prepend.firstIndex(where: { $0.0 == key }) {
                prepend[index].1.insert("$\(big)_ROOT/\(directory)", at: 0)
            } else {
                prepend.append((key, ["$\(big)_ROOT/\(directory)"]))
            }
        }
        for (key, values) in prepend where key != "DYLD_LIBRARY_PATH" {
            lines.append("export \(key)=\"\(values.joined(separator: ":"))${\(key)+:$\(key)}\"")
        }
        return lines.joined(separator: "\n")
    }

    static func str(_ value: RecipeValue) -> String { value.pythonStr }

    /// `":".join(asList(value))`, which needs strings.
    static func joined(_ value: RecipeValue, package: ResolvedPackage, key: String) throws(BuildError) -> String {
        var parts: [String] = []
        for item in value.asList { parts.append(try text(item, package: package, key: key)) }
        return parts.joined(separator: ":")
    }

    static func text(_ value: RecipeValue, package: ResolvedPackage, key: String) throws(BuildError) -> String {
        guard let text = value.stringValue else {
            throw .badValue(package: package.name.rawValue, key: key, reason: "entries must be strings to be joined into a path, got \(value.kindName)")
        }
        return text
    }
}
