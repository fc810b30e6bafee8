import AlienModel
import AreaEnvironment
import Foundation
import Hummingbird
import PackManAPI
import SoftwareArea

extension PackManDaemon {
    /// PackMan's `test`, without running anything of the package (a package is data): its
    /// environment loads (from the manifests of it and its dependencies), and every program in
    /// its `bin/` is a file inside the package that this host could run (`ProgramCheck`).
    func test(_ text: String, identity: String) async throws -> Response {
        let id = try Self.parse(text)
        let site = try self.site(for: id)
        let area = site.area
        guard let package = area.installed(matching: id).first else {
            audit(identity, "test", text, "refused: not installed", vo: site.name)
            throw APIError(.notFound, "\(text): not installed")
        }
        let result: TestResult = try await offload {
            var checks: [String] = []
            do {
                // An admin's check, not a use: nothing recorded.
                let changes = try area.environment(
                    for: [package.key.id], base: ["PATH": "/usr/bin:/bin"],
                    recording: nil
                ).changes
                checks.append("environment loads (\(changes.values.count) variable(s) set)")
                let variables = changes.applied(to: ["PATH": "/usr/bin:/bin", "HOME": "/tmp"])
                let bin = "\(package.path)/bin"
                for name in ((try? FileManager.default.contentsOfDirectory(atPath: bin)) ?? []).sorted() {
                    switch ProgramCheck.inspect(name, in: package.path, arch: area.layout.arch, searchPath: variables["PATH"] ?? "") {
                    case .success(let line): checks.append(line)
                    case .failure(let failure):
                        return TestResult(package: package.key.description, ok: false, checks: checks, error: failure.description)
                    }
                }
                return TestResult(package: package.key.description, ok: true, checks: checks, error: nil)
            } catch {
                return TestResult(package: package.key.description, ok: false, checks: checks, error: "\(error)")
            }
        }
        audit(identity, "test", package.key.description, result.ok ? "ok" : "failed: \(result.error ?? "")", vo: site.name)
        try? site.store.log(package: package.key.description, job: nil, time: area.clock(), text: "test: " + (result.ok ? "ok" : result.error ?? "failed"))
        return JSONAnswer.make(result)
    }
}
