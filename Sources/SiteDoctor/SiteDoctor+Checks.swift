import Basics
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SoftwareArea
import Transport
import Trust

extension SiteDoctor {
    // MARK: the area

    /// area-exists, area-writable, area-space, area-inodes, arch; the opened area when usable.
    func checkArea(_ checks: inout [SiteCheck]) -> SoftwareArea? {
        let path = options.area
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            checks.append(
                SiteCheck(
                    "area-exists", .fail, "\(path) does not exist",
                    hint: "create it with the installer, or `alien-install install PKG --area \(path) --repo URL --root ROOT_JSON`"))
            return nil
        }
        checks.append(SiteCheck("area-exists", .pass, path))
        let probe = "\(path)/.alien-doctor-\(getpid())"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            close(descriptor)
            unlink(probe)
            checks.append(SiteCheck("area-writable", .pass, "\(path) is writable by uid \(getuid())"))
        } else {
            let reason = String(cString: strerror(errno))
            checks.append(
                SiteCheck(
                    "area-writable", .fail, "cannot create a file in \(path): \(reason)",
                    hint: "give the installing user (packmand's) write access, or remount the filesystem read-write"))
        }
        // Opened once: its installed packages give the space used, then the architecture check.
        let opened = Result { () throws(SoftwareAreaError) -> SoftwareArea in
            try SoftwareArea.open(
                root: path, arch: options.arch, repository: options.repository, fetcher: client,
                defaultArch: options.hostArch)
        }
        var info = statvfs()
        if statvfs(path, &info) == 0 {
            let free = UInt64(info.f_bavail) * UInt64(info.f_frsize)
            let used = ((try? opened.get())?.installed() ?? []).reduce(UInt64(0)) { $0 + $1.record.size }
            if let budget = options.budget {
                let room = free + used
                checks.append(
                    SiteCheck(
                        "area-space", room >= budget ? .pass : .fail,
                        "\(Self.size(free)) free, \(Self.size(used)) used, budget \(Self.size(budget))",
                        hint: "the filesystem cannot hold the budget: lower it or give the area a bigger disk"))
            } else {
                checks.append(
                    SiteCheck(
                        "area-space", free >= options.minimumFree ? .pass : .fail,
                        "\(Self.size(free)) free (at least \(Self.size(options.minimumFree)) wanted)",
                        hint: "free space with `alien-install gc --area \(path) --budget SIZE`, or give the area a bigger disk"))
            }
            let inodes = UInt64(info.f_favail)
            checks.append(
                SiteCheck(
                    "area-inodes", inodes >= options.minimumInodes || info.f_files == 0 ? .pass : .fail,
                    info.f_files == 0 ? "the filesystem has no inode limit" : "\(inodes) inodes free",
                    hint: "packages have many files: free inodes (gc) or use a filesystem with more"))
        }
        let area: SoftwareArea
        do {
            area = try opened.get()
        } catch {
            checks.append(SiteCheck("arch", .fail, "cannot open the area: \(error)", hint: "give --arch, e.g. slc9_x86-64"))
            return nil
        }
        let host = options.hostArch.map { "this host is \($0)" } ?? "this host's architecture is not recognised"
        let matches = options.hostArch == nil || options.hostArch == area.layout.arch
        checks.append(
            SiteCheck(
                "arch", matches ? .pass : .warn, "area architecture \(area.layout.arch); \(host)",
                hint: "packages for \(area.layout.arch) may not run here; check --arch"))
        return area
    }

    // MARK: trust

    func checkRoot(_ area: SoftwareArea?) -> SiteCheck {
        guard let area else { return SiteCheck("trusted-root", .skip, "no usable area") }
        let file = "\(area.layout.trust)/root.json"
        guard let bytes = FileManager.default.contents(atPath: file) else {
            return SiteCheck(
                "trusted-root", .fail, "no trusted root in \(area.layout.trust)",
                hint: "initialise trust once with --root ROOT_JSON (the repository's 1.root.json, obtained out of band)")
        }
        let now = options.now()
        let root: Root
        do { root = try TrustedMetadataSet(rootBytes: Array(bytes), referenceTime: Expiry(secondsSince1970: now)).root } catch {
            return SiteCheck("trusted-root", .fail, "\(file): \(error)", hint: "re-initialise trust from the repository's root obtained out of band")
        }
        let left = root.expires.secondsSince1970 - now
        if left <= 0 {
            return SiteCheck(
                "trusted-root", .fail, "root v\(root.version) expired at \(root.expires)",
                hint: "the repository must publish a new root (repo rotate-root); until then no install can verify")
        }
        let days = left / 86_400
        if left < options.rootExpiryWarning {
            return SiteCheck(
                "trusted-root", .warn, "root v\(root.version) expires at \(root.expires) (in \(days) days)",
                hint: "ask the release managers to rotate the root before it expires")
        }
        return SiteCheck("trusted-root", .pass, "root v\(root.version), expires \(root.expires) (in \(days) days)")
    }

    // MARK: the repository

    /// repository-direct, repository-proxy, clock; whether the repository answered at all.
    func checkRepository(_ repository: String?, _ checks: inout [SiteCheck]) -> Bool {
        guard let repository else {
            checks.append(SiteCheck("repository", .fail, "no repository configured for the area", hint: "give --repo URL once"))
            return false
        }
        let base = repository.hasSuffix("/") ? String(repository.dropLast()) : repository
        let url = "\(base)/metadata/timestamp.json"
        let proxy = self.proxy(for: url)
        var answered = false
        var date: String?
        do {
            let probe = try client.probe(url, route: .direct)
            answered = probe.status == 200
            date = probe.date
            checks.append(
                SiteCheck(
                    "repository-direct", probe.status == 200 ? .pass : .fail,
                    "GET \(url): HTTP \(probe.status) in \(Int(probe.seconds * 1000)) ms",
                    hint: "the repository answers but not with its timestamp.json: check the URL (…/metadata/timestamp.json must exist)"))
        } catch {
            checks.append(
                SiteCheck(
                    "repository-direct", proxy == nil ? .fail : .warn, "\(error)",
                    hint: proxy == nil ? "check the URL, DNS and the site firewall" : "workers may only reach it through the proxy"))
        }
        if let proxy {
            do {
                let probe = try client.probe(url, route: .proxy(proxy))
                answered = answered || probe.status == 200
                date = date ?? probe.date
                checks.append(
                    SiteCheck(
                        "repository-proxy", probe.status == 200 ? .pass : .fail,
                        "through \(proxy): HTTP \(probe.status) in \(Int(probe.seconds * 1000)) ms",
                        hint: "the proxy refuses or cannot reach the repository: check its ACLs (installer/squid/site-cache.conf)"))
            } catch {
                checks.append(SiteCheck("repository-proxy", .fail, "through \(proxy): \(error)", hint: "is the site Squid running and listening there?"))
            }
        } else {
            checks.append(SiteCheck("repository-proxy", .skip, "no proxy configured (--proxy, or http_proxy/https_proxy)"))
        }
        checks.append(checkClock(date))
        return answered
    }

    func checkClock(_ date: String?) -> SiteCheck {
        guard let date else { return SiteCheck("clock", .skip, "the repository sent no Date header") }
        guard let theirs = Self.parseHTTPDate(date) else {
            return SiteCheck("clock", .warn, "cannot read the repository's Date header \"\(date)\"", hint: "nothing to do unless installs fail on expiry")
        }
        let skew = options.now() - theirs
        let detail = skew == 0 ? "in step with the repository" : "\(abs(skew)) s \(skew > 0 ? "ahead of" : "behind") the repository"
        return SiteCheck(
            "clock", abs(skew) <= options.maximumSkew ? .pass : .fail, detail,
            hint: "signed metadata expiry depends on the clock: synchronise it (chrony/ntpd)")
    }

    /// RFC 9110 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") → seconds since 1970.
    static func parseHTTPDate(_ text: String) -> Int64? {
        HTTPDate.parse(text).map(Int64.init)
    }

    /// metadata-fresh: a TUF refresh through the area's client, and targets for its architecture.
    func checkMetadataAndArch(_ area: SoftwareArea) async -> SiteCheck {
        do {
            let catalog = try area.catalog()
            let available = try await catalog.available()
            guard !available.isEmpty else {
                let others = Set(((try? await catalog.availableEverywhere()) ?? []).map(\.arch)).sorted()
                return SiteCheck(
                    "metadata-fresh", .fail, "metadata verified, but no package is published for \(area.layout.arch)",
                    hint: others.isEmpty ? "the repository is empty" : "the repository has \(others.joined(separator: ", ")); give --arch")
            }
            var detail = "\(available.count) packages for \(area.layout.arch)"
            if let timestamp = await catalog.updater.trustedMetadata?.timestamp {
                detail += "; timestamp v\(timestamp.version) expires \(timestamp.expires)"
            }
            return SiteCheck("metadata-fresh", .pass, detail)
        } catch {
            return SiteCheck(
                "metadata-fresh", .fail, "\(error)",
                hint: "expired or inconsistent metadata: the release managers must refresh the repository (repo refresh-timestamp)")
        }
    }

    // MARK: services

    func checkPackman() -> SiteCheck {
        guard let packman = options.packman else { return SiteCheck("packmand", .skip, "no packmand configured (--packman)") }
        let url: String, route: ProbeRoute
        var socketNote = ""
        if packman.hasPrefix("unix:") {
            let path = String(packman.dropFirst(5))
            var info = stat()
            guard stat(path, &info) == 0 else {
                return SiteCheck("packmand", .fail, "no socket at \(path)", hint: "start packmand (systemctl start packmand) or fix `listen` in its config")
            }
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                return SiteCheck("packmand", .fail, "\(path) is not a socket", hint: "remove it and restart packmand")
            }
            let mode = info.st_mode & 0o777
            socketNote = String(format: ", socket mode %03o uid %d gid %d", mode, info.st_uid, info.st_gid)
            if mode & 0o022 == 0 {
                // Mutations need a token anyway; a socket only its owner can write shuts the job agents out.
                return SiteCheck(
                    "packmand", .warn, "\(path): only its owner can connect\(socketNote)",
                    hint: "job agents running as other users cannot reach packmand: make the socket group- or world-writable")
            }
            (url, route) = ("http://packmand/v1/health", .unixSocket(path))
        } else {
            (url, route) = ((packman.hasSuffix("/") ? String(packman.dropLast()) : packman) + "/v1/health", .direct)
        }
        do {
            let probe = try client.probe(url, route: route)
            return SiteCheck(
                "packmand", probe.status == 200 ? .pass : .fail, "health: HTTP \(probe.status)\(socketNote)",
                hint: "packmand answers but is not healthy: see `journalctl -u packmand` and its status page")
        } catch {
            return SiteCheck("packmand", .fail, "\(error)", hint: "start packmand (systemctl start packmand)")
        }
    }

    func checkTorrent() -> [SiteCheck] {
        var checks: [SiteCheck] = []
        if let port = options.torrentPort {
            let free = Self.portIsFree(port)
            checks.append(
                SiteCheck(
                    "torrent-port", free ? .pass : .fail, free ? "TCP \(port) is free" : "TCP \(port) is in use",
                    hint: "another program holds the port: stop it, or set another seeding port"))
        } else {
            checks.append(SiteCheck("torrent-port", .skip, "no torrent port configured (--torrent-port)"))
        }
        if let tracker = options.tracker {
            do {
                let probe = try client.probe(tracker, route: .direct)
                checks.append(SiteCheck("tracker", .pass, "\(tracker) answers (HTTP \(probe.status))"))
            } catch {
                checks.append(
                    SiteCheck(
                        "tracker", .warn, "\(error)",
                        hint: "peers will not find each other through it; web seeds and HTTP still work"))
            }
        } else {
            checks.append(SiteCheck("tracker", .skip, "no tracker configured (--tracker)"))
        }
        return checks
    }

    /// Whether a TCP listener could bind `port` on all interfaces.
    static func portIsFree(_ port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func size(_ bytes: UInt64) -> String {
        ByteCountText.format(bytes)
    }
}
