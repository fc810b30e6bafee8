import Forensics
import Foundation
import PackMan
import Testing

@Suite struct DaemonConfigUsageTests {
    @Test func readsTheUsageBlock() throws {
        let config = try DaemonConfig.parse(
            """
            area: /a
            listen: {unix: /s}
            usage:
              retention_days: 30
              max_rows: 5000
              syslog: udp://127.0.0.1:5514
            """, file: "f.yaml")
        #expect(config.usage.retentionDays == 30 && config.usage.maxRows == 5000)
        #expect(config.usage.syslog == .to(.udp(host: "127.0.0.1", port: 5514)))
        #expect(config.usage.syslogDestination == .udp(host: "127.0.0.1", port: 5514))
        let off = try DaemonConfig.parse("area: /a\nlisten: {unix: /s}\nusage: {syslog: off}\n", file: "f.yaml")
        #expect(off.usage.syslog == .off && off.usage.syslogDestination == nil)
        let socket = try DaemonConfig.parse("area: /a\nlisten: {unix: /s}\nusage: {syslog: /run/systemd/journal/syslog}\n", file: "f.yaml")
        #expect(socket.usage.syslog == .to(.unixSocket("/run/systemd/journal/syslog")))
    }

    /// Unset: 400 days, a million rows, and /dev/log only when it is a socket.
    @Test func defaults() throws {
        let config = try DaemonConfig.parse("area: /a\nlisten: {unix: /s}\n", file: "f.yaml")
        #expect(config.usage.retentionDays == 400 && config.usage.maxRows == 1_000_000 && config.usage.syslog == .auto)
        var info = stat()
        let isSocket = stat("/dev/log", &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK
        #expect(config.usage.syslogDestination == (isSocket ? .unixSocket("/dev/log") : nil))
    }

    @Test(arguments: [
        ("usage: {retention_days: 0}", "f.yaml:3: usage.retention_days: expected a whole number in 1…36500, got '0'"),
        ("usage: {max_rows: 10}", "usage.max_rows: expected a whole number in 100…1000000000, got '10'"),
        ("usage: {syslog: tcp://x:1}", "usage.syslog: expected off, a socket path such as /dev/log or udp://HOST:PORT, got 'tcp://x:1'"),
        ("usage: {syslog: udp://host}", "usage.syslog: expected off"),
        ("usage: {keep: 1}", "usage.keep: unknown key"),
        ("usage: 5", "usage: expected a mapping of keys")
    ])
    func refusesWithFileLineAndKey(text: String, message: String) {
        do {
            _ = try DaemonConfig.parse("area: /a\nlisten: {unix: /s}\n\(text)\n", file: "f.yaml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }
}
