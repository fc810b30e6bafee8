import AlienModel
import Foundation
import Recipes
import Resolver

/// `.meta.json`: where a package came from (aliBuild's provenance record), as `PackageProvenance` writes it.
enum Provenance {
    static func json(
        _ package: ResolvedPackage, id: PackageIdentity, plan: BuildPlan,
        identities: [PackageName: PackageIdentity]
    ) -> String {
        func info(_ name: PackageName) -> PackageProvenance.Package {
            let resolved = plan[name]
            let known = identities[name]
            return PackageProvenance.Package(
                name: name.rawValue, version: known?.build.version.version ?? resolved?.version ?? "",
                revision: known?.build.version.revision ?? "",
                hash: known?.hash ?? "", tag: resolved?.tag ?? "", source: resolved?.source)
        }
        return PackageProvenance(
            toolVersion: "0.1.0", architecture: plan.architecture.rawValue, defaults: plan.defaults, package: info(package.name),
            directBuild: package.buildRequires.map(info), directRuntime: package.runtimeRequires.map(info),
            recursiveBuild: package.fullBuildRequires.map(info), recursiveRuntime: package.fullRuntimeRequires.map(info)
        ).text
    }
}

/// A modulefile for packages whose recipe writes none (what `alibuild-generate-module --bin --lib`
/// produces): loads the runtime dependencies, sets `<PKG>_ROOT`, puts `bin` and `lib` first.
enum Modulefile {
    static func generate(_ package: ResolvedPackage, id: PackageIdentity, identities: [PackageName: PackageIdentity], plan: BuildPlan) -> String {
        let dependencies = package.fullRuntimeRequires.compactMap { identities[$0] }.filter { $0.build.name.rawValue != "defaults-release" }
        var text = """
            #%Module1.0
            proc ModulesHelp { } {
              global version
              puts stderr "Modulefile for \(id.build.name) \(id.build.version)"
            }
            set version \(id.build.version)
            module-whatis "Modulefile for \(id.build.name) \(id.build.version)"
            # Dependencies
            module load BASE/1.0\(dependencies.map { " \($0.build)" }.joined())
            # Our environment
            set PKG_ROOT $::env(BASEDIR)/\(id.build.name)/$version
            setenv \(id.variablePrefix)_ROOT $PKG_ROOT
            setenv \(id.variablePrefix)_VERSION \(id.build.version.version)
            setenv \(id.variablePrefix)_REVISION \(id.build.version.revision)

            """
        for entry in package.env?.entries ?? [] {
            guard case let .string(key) = entry.key, let value = entry.value.stringValue, !value.contains("$") else { continue }
            text += "setenv \(key) \"\(value)\"\n"
        }
        text += "prepend-path PATH $PKG_ROOT/bin\nprepend-path LD_LIBRARY_PATH $PKG_ROOT/lib\n"
        return text
    }
}
