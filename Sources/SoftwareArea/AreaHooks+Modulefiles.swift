import AlienModel
import AreaEnvironment
import Foundation
import Tarballs

extension AreaHooks {
    /// The area's modulefiles (`<area>/<arch>/Modules/modulefiles/<Name>/<Ver>-<Rev>`) kept in
    /// step with installs and removals: what `SoftwareArea.open` installs by default.
    public static let modulefiles = AreaHooks(
        startInstall: {
            // The install's packages share the manifests read for their modulefiles.
            let batch = Modulefiles.Batch()
            return { layout, record in
                let (area, package) = try environment(layout, record.package)
                // Written back before the rename, no journal commit per modulefile (see `Writeback`).
                _ = try Modulefiles.write(for: package, in: area, batch: batch, flush: { Writeback.wait($0) })
            }
        },
        afterRemove: { layout, key in
            let (area, package) = try environment(layout, key)
            try Modulefiles.remove(for: package, in: area)
        })

    private static func environment(_ layout: AreaLayout, _ key: PackageBuild) throws -> (EnvironmentArea, EnvironmentPackage) {
        let area = EnvironmentArea(root: URL(fileURLWithPath: layout.root), architecture: try Architecture(layout.arch))
        let package = EnvironmentPackage(build: key, path: area.packagesPath + "/" + key.description)
        return (area, package)
    }
}
