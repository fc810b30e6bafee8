import AlienModel
import AreaEnvironment
import Foundation
import Hummingbird
import PackManAPI
import SoftwareArea

extension PackManDaemon {
    /// PackMan's `test`: the package's environment loads (its init.sh and its dependencies'),
    /// and every program in its `bin/` starts in that environment (`--version`, 10 s at most;
    /// an exit status is not judged, only that it ran and was not killed).
    func test(_ text: String, identity: String) async throws -> Response {
        let id = try Self.parse(text)
        guard let package = area.installed(matching: id).first else {
            audit(identity, "test", text, "refused: not installed")
            throw APIError(.notFound, "\(text): not installed")
        }
        let result: TestResult = try await offload {
            var checks: [String] = []
            do {
                // An admin's check, not a use: nothing recorded.
                let changes = try self.area.environment(for: [package.key.id], base: ["PATH": "/usr/bin:/bin"],
                                                        recording: nil).changes
                checks.append("environment loads (\(changes.values.count) variable(s) set)")
                let variables = changes.applied(to: ["PATH": "/usr/bin:/bin", "HOME": "/tmp"])
                let bin = "\(package.path)/bin"
                for name in ((try? FileManager.default.contentsOfDirectory(atPath: bin)) ?? []).sorted() {
                    let path = "\(bin)/\(name)"
                    guard FileManager.default.isExecutableFile(atPath: path) else { continue }
                    let status = Self.runBriefly(path, environment: variables)
                    guard let status, status < 128 else {
                        return TestResult(package: package.key.description, ok: false, checks: checks,
                                          error: "bin/\(name) \(status.map { "was killed (status \($0))" } ?? "did not finish within 10 s")")
                    }
                    checks.append("bin/\(name) runs")
                }
                return TestResult(package: package.key.description, ok: true, checks: checks, error: nil)
            } catch {
                return TestResult(package: package.key.description, ok: false, checks: checks, error: "\(error)")
            }
        }
        audit(identity, "test", package.key.description, result.ok ? "ok" : "failed: \(result.error ?? "")")
        try? store.log(package: package.key.description, job: nil, time: area.clock(), text: "test: " + (result.ok ? "ok" : result.error ?? "failed"))
        return JSONAnswer.make(result)
    }

    /// Exit status (128 + signal when killed), nil after 10 s (then killed).
    static func runBriefly(_ path: String, environment: [String: String]) -> Int32? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--version"]
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return 127 }
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}
