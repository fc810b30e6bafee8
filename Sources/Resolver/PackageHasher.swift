import AlienModel
import Crypto
import Recipes

/// aliBuild's package hash (`storeHashes`): SHA-1 over the recipe, version, name, commit,
/// the Python reprs of env/append_path/prepend_path(/track_env), the source and tag when
/// building a tag, and the dependencies' hashes in `requires` order.
///
/// Two consistent worlds are computed: *remote*, where every dependency comes from a
/// shared store (revisions `N`), and *local*, where everything was built here (revisions
/// `localN`, each hash followed by the text "local").
struct PackageHasher {
    let stamp: String

    init(stamp: String) { self.stamp = stamp }

    func hash(_ package: inout ResolvedPackage, architecture: Architecture, dependencies: [PackageName: ResolvedPackage]) {
        // The package's own inputs (its recipe, the reprs of its environment) are the same in
        // both worlds: built once.
        let own = Self.ownInputs(of: package, stamp: stamp)
        package.hashInputs = Self.inputs(own: own, of: package, architecture: architecture, local: false) {
            dependencies[$0]?.remoteHash ?? ""
        }
        package.remoteHash = Self.digest(package.hashInputs)
        package.localHash = Self.digest(
            Self.inputs(own: own, of: package, architecture: architecture, local: true) {
                dependencies[$0]?.localHash ?? ""
            })
    }

    /// Every input of a package's hash, in hashing order, with the hashes its dependencies
    /// finally use; `local` adds the text that makes a `localN` revision's hash.
    static func inputs(
        of package: ResolvedPackage, stamp: String, architecture: Architecture, local: Bool,
        dependencyHash: (PackageName) -> String
    ) -> [HashInput] {
        inputs(own: ownInputs(of: package, stamp: stamp), of: package, architecture: architecture, local: local, dependencyHash: dependencyHash)
    }

    /// `inputs(of:…)` after the package's `ownInputs`.
    static func inputs(
        own: [HashInput], of package: ResolvedPackage, architecture: Architecture, local: Bool,
        dependencyHash: (PackageName) -> String
    ) -> [HashInput] {
        var inputs = own
        for dependency in package.requires {
            inputs.append(HashInput(label: "requires \(dependency)", value: dependencyHash(dependency)))
        }
        if architecture.platform == "osx", let paths = package.fields["relocate_paths"] {
            // Python's sorted(): a string sorts its characters; strings compare by code point.
            let items: [String] =
                if case let .string(text) = paths {
                    text.unicodeScalars.map { String($0) }
                } else {
                    paths.asList.map { $0.stringValue ?? $0.pythonRepr }
                }
            let sorted = items.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            inputs.append(HashInput(label: "relocate_paths", value: "relocate:" + sorted.joined(separator: " ")))
        }
        if local { inputs.append(HashInput(label: "local", value: "local")) }
        return inputs
    }

    /// The inputs that do not depend on how dependencies were obtained.
    static func ownInputs(of package: ResolvedPackage, stamp: String) -> [HashInput] {
        var inputs: [HashInput] = []
        if package.forceRebuild { inputs.append(HashInput(label: "force_rebuild", value: stamp)) }
        inputs.append(HashInput(label: "recipe", value: package.recipe))
        inputs.append(HashInput(label: "version", value: package.version))
        inputs.append(HashInput(label: "package", value: package.name.rawValue))
        inputs.append(HashInput(label: "commit_hash", value: package.commitHash))
        var keys = ["env", "append_path", "prepend_path"]
        if package.fields["track_env"] != nil { keys.append("track_env") }
        for key in keys {
            inputs.append(HashInput(label: key, value: package.fields[key]?.mapValue.map(orderedDictRepr) ?? "none"))
        }
        if package.commitHash == package.tag {
            inputs.append(HashInput(label: "source", value: package.source ?? "none"))
            if package.source != nil { inputs.append(HashInput(label: "tag", value: package.tag)) }
        }
        return inputs
    }

    /// Python 3.11's `repr(OrderedDict(...))` as aliBuild spells it for every Python version.
    static func orderedDictRepr(_ map: RecipeMap) -> String {
        "OrderedDict([" + map.entries.map { "(\($0.key.pythonRepr), \($0.value.pythonRepr))" }.joined(separator: ", ") + "])"
    }

    static func digest(_ inputs: [HashInput]) -> String {
        var sha = Insecure.SHA1()
        for input in inputs {
            var value = input.value
            value.withUTF8 { sha.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return ContentHash(.sha1, bytes: sha.finalize()).hex
    }
}
