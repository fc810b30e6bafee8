public import Foundation

/// `Tests/interop/connection_flood.py` in a process of its own: `count` connections to a TCP
/// port of 127.0.0.1 or a unix socket, each sending half a request head and then nothing. The
/// test process keeps no descriptor for them (Foundation's `Process.run` reads /proc/self/fd and
/// must not meet thousands of them while other suites start programs).
public final class ConnectionFlood: @unchecked Sendable {
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("interop/connection_flood.py")

    let child: BackgroundProcess

    /// `target`: `tcp:PORT` or `unix:PATH`; `expectClosed`: how many the server should close.
    public init(target: String, count: Int, expectClosed: Int) throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("alien-flood-\(UUID().uuidString).log")
        child = try BackgroundProcess("/usr/bin/python3", [Self.script.path, target, "\(count)", "\(expectClosed)"], output: log)
    }

    deinit {
        stop()
    }

    /// Blocks until every connection is open (true), or the script ended or two minutes passed.
    public func waitUntilOpened() -> Bool { child.wait(for: "opened ", seconds: 120) }

    /// Blocks until `expectClosed` connections were closed by the server (or ten minutes passed);
    /// returns how many were.
    public func waitUntilClosed() -> Int? {
        guard child.wait(for: "closed ", seconds: 660) else { return nil }
        let line = child.text.split(separator: "\n").first { $0.hasPrefix("closed ") }
        return line.flatMap { Int($0.dropFirst("closed ".count)) }
    }

    public var output: String { child.text }

    public func stop() {
        child.stop(grace: 5)
        try? FileManager.default.removeItem(at: child.output)
    }
}
