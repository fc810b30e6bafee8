public import AlienModel
import AreaEnvironment
import Trust

/// The install pipeline's seam to the environment side: a staged package gets its manifest
/// before it becomes visible. Nothing of the package runs, ever.
extension SoftwareArea {
    /// The `.alien/config.json` key that lets a package whose init.sh the parser refuses be
    /// installed anyway — without an environment: its manifest records why (`withheld`), and
    /// `env`, `run`, `enter`, `alienv`, modulefiles and packmand refuse its environment (and
    /// that of packages that source it) with that reason. Its init.sh is still never run.
    public static let allowUnparsedInitKey = "allow_unparsed_init"

    /// Whether the area's config sets `"allow_unparsed_init": true`.
    public var allowsUnparsedInit: Bool { configuration.allowUnparsedInit }

    /// The environment manifest of an unpacked, relocated package in the stage (`directory` is
    /// its `<Name>/<Version>-<Rev>` folder, not yet visible), written into it as
    /// `<directory>/.alien-environment.json` (normalized, canonical JSON) so that it lands
    /// with the package on rename.
    ///
    /// The tarball's own manifest is used when present, validated strictly (format, grammar,
    /// normal form, and the package it describes must be `key`); otherwise the package's
    /// `etc/profile.d/init.sh` is parsed with the strict parser of aliBuild's generated
    /// grammar. A file or line it does not understand is refused with `file:line` — unless the
    /// area allows unparsed init.sh files (`allow_unparsed_init`), when the package gets a
    /// withheld manifest instead. Call it after relocation and before the install record is
    /// written (the record then lists the manifest file like any other).
    public func environmentManifest(forStagedPackage directory: String, key: PackageBuild) throws(SoftwareAreaError) -> EnvironmentManifest {
        let label = key.description
        var manifest: EnvironmentManifest
        do throws(EnvironmentManifestError) {
            manifest = try PackageEnvironmentFiles.manifest(directory: directory, label: label)
            guard manifest.package.name == key.name, manifest.package.version == key.version.version,
                manifest.package.revision == key.version.revision
            else {
                throw EnvironmentManifestError.invalid(package: label, reason: "its environment describes \(manifest.package.moduleName)")
            }
        } catch {
            guard allowsUnparsedInit, case .initScript = error else {
                throw .environment(package: label, error)
            }
            manifest = .withheld(
                package: EnvironmentManifest.Package(
                    name: key.name, version: key.version.version, revision: key.version.revision,
                    hash: "", commit: ""),
                architecture: nil, reason: error.description)
        }
        if let failure = PackageEnvironmentFiles.write(manifest, directory: directory) {
            throw .io(path: "\(directory)/\(EnvironmentManifest.fileName)", operation: "write the environment manifest", reason: failure)
        }
        return manifest
    }
}
