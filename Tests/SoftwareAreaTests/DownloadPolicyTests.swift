import Foundation
import SoftwareArea
import Testing
import Torrents
import Transport

@Suite struct DownloadPolicyTests {
    typealias Overrides = DownloadPolicy.Overrides

    @Test func nothingChosenIsTheDefault() throws {
        let policy = try DownloadPolicy(configuration: .init(), configurationPath: "/a/.alien/config.json", overrides: Overrides())
        #expect(policy.via == .auto && policy.peers.isEmpty && policy.stallTimeout == 30 && policy.webSeeds)
        #expect(!policy.localPeerDiscovery && policy.listen == "0.0.0.0:0" && !policy.keepForSeeding)
        // auto without peers, trackers known only per torrent: a swarm source that may decline.
        #expect(policy.swarm(session: LazyTorrentSession(settings: policy.sessionSettings)) != nil)
    }

    @Test func givenPeersComeFirstThenTheConfiguredOnesWithoutRepeats() throws {
        let configuration = SoftwareArea.Configuration(peers: ["10.0.0.3:6881", "10.0.0.2:6881"])
        let policy = try DownloadPolicy(
            configuration: configuration, configurationPath: "c",
            overrides: Overrides(
                via: .torrent, peers: ["10.0.0.2:6881"], stallTimeout: 5, webSeeds: false,
                localPeerDiscovery: true, listen: "127.0.0.1:0", keepForSeeding: true))
        #expect(policy.peers.map(\.description) == ["10.0.0.2:6881", "10.0.0.3:6881"])
        #expect(policy.via == .torrent && policy.stallTimeout == 5 && !policy.webSeeds && policy.localPeerDiscovery)
        #expect(policy.listen == "127.0.0.1:0" && policy.keepForSeeding)
        #expect(policy.sessionSettings.listenInterfaces == "127.0.0.1:0")
    }

    @Test func httpMeansNoSwarm() throws {
        let policy = try DownloadPolicy(configuration: .init(peers: ["10.0.0.2:1"]), configurationPath: "c", overrides: Overrides(via: .http))
        #expect(policy.swarm(session: LazyTorrentSession(settings: policy.sessionSettings)) == nil)
    }

    @Test func aBadPeerIsRefusedNamingWhereItCameFrom() {
        #expect(throws: SoftwareAreaError.invalidArgument(name: "peer", expected: "host:port", got: "nohost")) {
            try DownloadPolicy(configuration: .init(), configurationPath: "c", overrides: Overrides(peers: ["nohost"]))
        }
        do {
            _ = try DownloadPolicy(configuration: .init(peers: ["h:0"]), configurationPath: "/a/.alien/config.json", overrides: Overrides())
            Issue.record("a configured port 0 was accepted")
        } catch {
            guard case let .badFile(path, reason) = error else { Issue.record("\(error)"); return }
            #expect(path == "/a/.alien/config.json")
            #expect(reason.hasPrefix("peers: "))
        }
    }

    @Test func theAreaUsesItsOwnConfiguration() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alien-policy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try SoftwareArea.Configuration(arch: "slc9_x86-64", peers: ["10.1.1.1:7000"]).write(to: directory.appendingPathComponent(".alien/config.json").path)
        let area = try SoftwareArea.open(root: directory.path, arch: nil, fetcher: HTTPClient(), mode: .existing)
        let policy = try area.downloadPolicy(Overrides(peers: ["10.1.1.2:7000"]))
        #expect(policy.peers.map(\.description) == ["10.1.1.2:7000", "10.1.1.1:7000"])
    }
}
