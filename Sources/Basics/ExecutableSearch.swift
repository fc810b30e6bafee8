#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finding a program as `execvp` does: a name with a `/` is used as it is; otherwise the first
/// executable regular file of that name in the folders of `PATH` (an empty entry is ".").
public enum ExecutableSearch {
    /// `PATH` when the environment has none.
    public static let defaultPath = "/usr/bin:/bin"

    /// The path to run for `program`, or nil when no folder of `path` holds it.
    public static func find(_ program: String, path: String?) -> String? {
        find(program, path: path, where: isExecutableFile)
    }

    /// `find` with the test for a candidate given (for tests).
    static func find(_ program: String, path: String?, where executable: (String) -> Bool) -> String? {
        if program.contains("/") { return program }
        guard !program.isEmpty else { return nil }
        for directory in (path ?? defaultPath).split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + program
            if executable(candidate) { return candidate }
        }
        return nil
    }

    /// A regular file (after symlinks) that this process may execute.
    public static func isExecutableFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG && access(path, X_OK) == 0
    }
}
