public import AlienModel
import Basics
public import Foundation

/// init.sh files laid out as an area (`<root>/<arch>/<Name>/<Ver>-<Rev>/etc/profile.d/init.sh`),
/// for the manifest-vs-bash differential of recipe sets: each package's environment computed
/// from the parsed manifests (`EnvironmentEvaluation`) against bash sourcing its init.sh.
public struct InitScriptTree {
    public let root: URL
    public let arch: String
    public private(set) var manifests: [String: EnvironmentManifest] = [:]

    public init(arch: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("alien-initsh-\(UUID().uuidString)")
        self.arch = arch
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    public func remove() { try? FileManager.default.removeItem(at: root) }

    /// Writes one package's init.sh (text as generated, a newline added) and keeps its manifest.
    public mutating func add(_ manifest: EnvironmentManifest, initScript: String) throws {
        let directory = root.appendingPathComponent("\(arch)/\(manifest.package.moduleName)/etc/profile.d")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try (initScript + "\n").write(to: directory.appendingPathComponent("init.sh"), atomically: true, encoding: .utf8)
        manifests[manifest.package.moduleName] = manifest
    }

    /// The differences between the evaluated and the bash-sourced environment of each package
    /// (`[]` when equal), from `base`; packages whose dependencies are not all in the tree are
    /// left out (`compared` counts the others).
    public func compare(base: [String: String] = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C"]) throws
        -> (compared: Int, differences: [String])
    {
        var differences: [String] = []
        var compared = 0
        let packages = root.appendingPathComponent(arch).path
        for module in manifests.keys.sorted() {
            var evaluation = EnvironmentEvaluation(environment: base)
            evaluation.export("WORK_DIR", root.path)
            evaluation.export("ALIBUILD_ARCH_PREFIX", arch)
            let all = manifests
            do {
                try evaluation.source(manifests[module]!) { (dependency, directory) throws(EnvironmentManifestError) in
                    guard directory == packages, let found = all[dependency.moduleName] else {
                        throw .evaluation(package: dependency.moduleName, reason: "not in the tree")
                    }
                    return found
                }
            } catch {
                if case .evaluation(_, "not in the tree") = error { continue }
                throw error
            }
            compared += 1
            var ours = evaluation.environment
            let script = "export WORK_DIR=\"$1\" ALIBUILD_ARCH_PREFIX=\"$2\"; . \"$3\" || exit 97; /usr/bin/env -0"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["--noprofile", "--norc", "-c", script, "bash", root.path, arch, "\(packages)/\(module)/etc/profile.d/init.sh"]
            process.environment = base
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.start()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            var theirs: [String: String] = [:]
            for entry in data.split(separator: 0) {
                let text = String(decoding: entry, as: UTF8.self)
                guard let equals = text.firstIndex(of: "=") else { continue }
                theirs[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            for name in ["_", "SHLVL", "PWD", "OLDPWD"] { ours[name] = nil; theirs[name] = nil }
            if process.terminationStatus != 0 { differences.append("\(module): bash exited with \(process.terminationStatus)") }
            for name in Set(ours.keys).union(theirs.keys).sorted() where ours[name] != theirs[name] {
                differences.append("\(module): \(name): manifest \(ours[name].map { "'\($0)'" } ?? "unset"), bash \(theirs[name].map { "'\($0)'" } ?? "unset")")
            }
        }
        return (compared, differences)
    }
}
