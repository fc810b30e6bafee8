import Foundation
import PackMan
import RepositoryServer
import Testing
import Transport

@Suite struct DaemonConfigTests {
    @Test func readsEveryKey() throws {
        let text = """
            area: /opt/alien/sw
            arch: slc9_x86-64
            repository: https://repo.example.org/alice
            mirrors: [https://mirror.example.org/alice]
            trusted_root: /etc/alien/root.json
            ca_path: /etc/grid-security/certificates
            ca_file: /etc/alien/repo-ca.pem
            listen:
              unix: /run/packmand/packmand.sock
              tcp: 127.0.0.1:9991
              max_connections: 500
              header_timeout: 5
              idle_timeout: 30.5
            tokens: /etc/alien/packmand.tokens
            disk:
              budget: 200G
              eviction: lru
            parallel_jobs: 3
            max_body: 32k
            shutdown_grace: 10
            seeding:
              enabled: true
              upload_rate: 10M
              max_peers: 20
              ratio: 1.5
              listen: "6882"
              rescan: 5
            notifications:
              webhook: https://hooks.example.org/packmand
              mail: admin@example.org
              disk_threshold: 0.8
              throughput_floor: 2M
              throughput_window: 900
            """
        let config = try DaemonConfig.parse(text, file: "/etc/alien/packmand.yaml")
        #expect(config.area == "/opt/alien/sw" && config.arch == "slc9_x86-64")
        #expect(config.mirrors == ["https://mirror.example.org/alice"])
        #expect(config.listen.unix == "/run/packmand/packmand.sock" && config.listen.tcp?.port == 9991)
        #expect(config.diskBudget == 200 << 30 && config.eviction == .lru && config.parallelJobs == 3 && config.maxBody == 32 << 10)
        #expect(config.seeding.enabled && config.seeding.uploadRate == 10 << 20 && config.seeding.ratio == 1.5)
        #expect(config.seeding.listen == "0.0.0.0:6882" && config.seeding.rescan == 5, "a bare port listens on every interface")
        #expect(config.notifications.mail == "admin@example.org" && config.notifications.diskThreshold == 0.8)
        #expect(config.notifications.throughputFloor == 2 << 20 && config.notifications.throughputWindow == 900)
        #expect(config.databasePath == "/opt/alien/sw/.alien/packmand.sqlite")
        #expect(config.authorities.path == "/etc/grid-security/certificates" && config.authorities.file == "/etc/alien/repo-ca.pem")
        #expect(config.listen.limits.maxConnections == 500 && config.listen.limits.headerTimeout == 5 && config.listen.limits.idleTimeout == 30.5)
    }

    @Test func connectionLimitsHaveSaneDefaults() throws {
        let config = try DaemonConfig.parse("area: /a\nlisten: {unix: /s}\n", file: "f.yaml")
        #expect(config.listen.limits.maxConnections == 1024 && config.listen.limits.headerTimeout == 10 && config.listen.limits.idleTimeout == 60)
        #expect(config.authorities.isEmpty)
    }

    @Test func tlsAllowsAnyAddress() throws {
        let config = try DaemonConfig.parse(
            "area: /a\nlisten:\n  tcp: 0.0.0.0:9991\n  tls:\n    certificate: /c.pem\n    key: /k.pem\n    client_ca: /etc/grid-security/certificates\n",
            file: "f.yaml")
        #expect(config.listen.tcp?.host == "0.0.0.0" && config.listen.tls?.clientCA == "/etc/grid-security/certificates")
    }

    @Test(arguments: [
        ("area: /a\nlisten: {unix: /s}\nbogus: 1\n", "f.yaml:3: bogus: unknown key"),
        ("area: /a\nlisten:\n  unix: /s\n  udp: 1\n", "f.yaml:4: listen.udp: unknown key"),
        ("area: relative\nlisten: {unix: /s}\n", "f.yaml:1: area: expected an absolute path, got 'relative'"),
        ("listen: {unix: /s}\n", "area: required"),
        ("area: /a\n", "listen: expected listen.unix"),
        ("area: /a\nlisten: {tcp: 0.0.0.0:80}\n", "f.yaml:2: listen.tcp: '0.0.0.0' is not a loopback address; TCP beyond loopback needs TLS"),
        ("area: /a\nlisten:\n  tcp: 0.0.0.0:80\n  tls: {certificate: /c}\n", "f.yaml:4: listen.tls: expected certificate and key"),
        ("area: /a\nlisten: {tcp: localhost}\n", "listen.tcp: expected host:port"),
        ("area: /a\nlisten: {unix: /s}\ndisk: {budget: lots}\n", "f.yaml:3: disk.budget: expected a size"),
        ("area: /a\nlisten: {unix: /s}\ndisk: {eviction: fifo}\n", "disk.eviction: expected lru or none, got 'fifo'"),
        ("area: /a\nlisten: {unix: /s}\nparallel_jobs: 0\n", "f.yaml:3: parallel_jobs: expected a whole number in 1…64, got '0'"),
        ("area: /a\nlisten: {unix: /s}\nrepository: ftp://x\n", "repository: expected an http://, https:// or file:// URL"),
        ("area: /a\nlisten: {unix: /s}\nnotifications: {mail: nobody}\n", "notifications.mail: expected a mail address"),
        ("area: /a\nlisten: {unix: /s}\nnotifications: {throughput_window: 5}\n", "notifications.throughput_window"),
        ("area: /a\nlisten: {unix: /s}\nseeding: {enabled: maybe}\n", "seeding.enabled: expected true or false"),
        ("area: /a\nlisten: {unix: /s}\nseeding: {rescan: 0}\n", "seeding.rescan: expected a whole number in 1…3600, got '0'"),
        ("area: /a\nlisten: {unix: /s, max_connections: 0}\n", "f.yaml:2: listen.max_connections: expected a whole number in 1…100000, got '0'"),
        ("area: /a\nlisten: {unix: /s, header_timeout: soon}\n", "listen.header_timeout: expected a number in 0.1…3600.0, got 'soon'"),
        ("area: /a\nlisten: {unix: /s, idle_timeout: 0}\n", "listen.idle_timeout: expected a number in 0.1…86400.0, got '0'"),
        ("area: /a\nlisten: {unix: /s}\nca_path: certificates\n", "f.yaml:3: ca_path: expected an absolute path, got 'certificates'"),
        ("- a\n- b\n", "expected a mapping of keys"),
        ("area: [\n", "not YAML")
    ])
    func refusesWithFileLineAndKey(text: String, message: String) {
        #expect(throws: ConfigError.self) { try DaemonConfig.parse(text, file: "f.yaml") }
        do { _ = try DaemonConfig.parse(text, file: "f.yaml") } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }
}
