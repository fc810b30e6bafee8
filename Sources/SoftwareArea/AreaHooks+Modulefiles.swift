import AlienModel
import AreaEnvironment
import Foundation
import Tarballs

extension AreaHooks {
    /// The area's modulefiles (`<area>/<arch>/Modules/modulefiles/<Name>/<Ver>-<Rev>`) kept in
    /// step with installs and removals: what `SoftwareArea.open` installs by default.
    public static let modulefiles = AreaHooks(
        afterInstall: { layout, record in
            let (area, package) = try environment(layout, record.package)
            // Written back before the rename, no journal commit per modulefile (see `Writeback`).
            _ = try Modulefiles.write(for: package, in: area, flush: { Writeback.wait($0) })
        },
        afterRemove: { layout, key in
            let (area, package) = try environment(layout, key)
            try Modulefiles.remove(for: package, in: area)
        })

    private static func environment(_ layout: AreaLayout, _ key: PackageKey) throws -> (EnvironmentArea, EnvironmentPackage) {
        let area = EnvironmentArea(root: URL(fileURLWithPath: layout.root), architecture: try Architecture(layout.arch))
        let directory = area.packagesDirectory.appendingPathComponent("\(key.name)/\(key.version)-\(key.revision)")
        let package = EnvironmentPackage(name: try PackageName(key.name), version: key.version, revision: key.revision, directory: directory)
        return (area, package)
    }
}
