import AlienModel
import Basics
import Forensics
import Foundation
import Hummingbird
import Logging
import PackManAPI
import ServiceLifecycle
public import SoftwareArea
import Synchronization

/// Revocations being alerted of right now (`<alerted file>|<target path>`): concurrent refreshes
/// (the service, installs, the admin) alert of each once.
private let alertClaims = Mutex<Set<String>>([])

extension PackManDaemon {
    /// Where the daemon remembers which revocations of a VO it alerted of (target paths, one
    /// JSON array, in the VO's area), so a restart does not alert again.
    func alertedRevocationsFile(_ site: VOSite) -> String { "\(site.area.layout.state)/packmand-revocations-alerted.json" }

    /// `refreshRevocations(in:)` of every VO of the site, each VO's failure logged on its own.
    func refreshAllRevocations(logger: Logger) async {
        for site in sites {
            do { try await refreshRevocations(in: site) } catch { logger.warning("revocations of \(site.name): \(error)") }
        }
    }

    /// One refresh of a VO's revocations (the default VO's when nil), from its repository:
    /// stored in its area, the area's policy applied (`SoftwareArea.applyRevocations`), then one
    /// notification digest for the revocations not alerted before, each saying whether the
    /// package is here, what the policy did and which leases (running jobs, never stopped) hold
    /// it; each also audited with the VO. Returns the report and the alert keys sent.
    @discardableResult
    public func refreshRevocations(in vo: VOSite? = nil) async throws(SoftwareAreaError) -> (report: RevocationReport, alerted: [String]) {
        let site = vo ?? sites[0]
        let report = try await site.area.refreshRevocations()
        if !report.new.isEmpty || report.present.contains(where: { $0.action == .removed }) { site.environments.invalidate() }
        let file = alertedRevocationsFile(site)
        let fresh = alertClaims.withLock { claims in
            let alerted = readAlerted(site)
            return report.revocations.filter { !alerted.contains($0.targetPath) && claims.insert("\(file)|\($0.targetPath)").inserted }
        }
        guard !fresh.isEmpty else { return (report, []) }
        defer { alertClaims.withLock { claims in for revocation in fresh { claims.remove("\(file)|\(revocation.targetPath)") } } }
        // The default VO's alerts keep their plain spelling; another VO's name their VO.
        let (key, prefix) = site.isDefault ? ("", "") : ("\(site.name)/", "\(site.name): ")
        let uses =
            (try? await offload { () -> [[UsageRecord]] in
                _ = self.importAreaUsage(of: site)  // the CLI's uses too, once for all the revocations
                return fresh.map { self.uses(of: $0, in: site) }
            }) ?? fresh.map { _ in [] }
        let alerts = zip(fresh, uses).map { revocation, uses in
            Alert(
                key: "revoked-package:\(key)\(revocation.folder)",
                message: prefix + Self.alertMessage(revocation, report: report) + "; " + UsageRecord.summary(of: uses, counted: Self.usesListed))
        }
        for (revocation, alert) in zip(fresh, alerts) {
            audit("packmand", "revocation", revocation.spelling, alert.message, vo: site.name)
        }
        var failures: [String] = []
        if let sinks = notificationSinks() {
            let digest = Digest(site: sinks.site, time: area.clock(), alerts: alerts, resolved: [])
            failures = (try? await offload { sinks.send(digest) }) ?? ["the notification could not be sent"]
        }
        // Retried at the next refresh when a sink refused it.
        guard failures.isEmpty else { return (report, []) }
        alertClaims.withLock { _ in
            let alerted = readAlerted(site).union(fresh.map(\.targetPath))
            let document = JSONValue.array(alerted.sorted().map { .string($0) })
            _ = try? AtomicFile.write(document.compactJSONBytes + [0x0A], to: file, flush: nil, syncDirectory: false)
        }
        return (report, alerts.map(\.key))
    }

    /// The recorded uses of a revoked build in its VO, oldest first.
    func uses(of revocation: PackageRevocation, in site: VOSite) -> [UsageRecord] {
        (try? store.usages(matching: revocation.usageQuery(owner: site.name), limit: Self.usesListed)) ?? []
    }

    /// At most this many uses are looked up for an alert (the newest of them are named).
    static let usesListed = 1000

    static func alertMessage(_ revocation: PackageRevocation, report: RevocationReport) -> String {
        var message = "\(revocation.spelling) (\(revocation.arch)) was revoked by the repository at \(revocation.time): \(revocation.reason)"
        guard let entry = report.present.first(where: { $0.revocation == revocation }) else { return message + "; not installed here" }
        switch entry.action {
        case .alerted: message += "; installed here and still usable (policy alert)"
        case .quarantined: message += "; installed here, quarantined: kept for forensics, refused for use (policy quarantine)"
        case .removed: message += "; removed from here (policy remove)"
        case .keptLeased: message += "; installed here, refused for use, removed once its leases end (policy remove)"
        case .keptRequired: message += "; installed here, refused for use, kept while \(entry.requiredBy.joined(separator: ", ")) require it (policy remove)"
        }
        if !entry.holders.isEmpty { message += "; running jobs holding it (not stopped): \(entry.holders.joined(separator: ", "))" }
        return message
    }

    func readAlerted(_ site: VOSite) -> Set<String> {
        guard let data = FileManager.default.contents(atPath: alertedRevocationsFile(site)), data.count <= 16 << 20,
            case let .array(items)? = try? JSONValue(parsing: [UInt8](data))
        else { return [] }
        return Set(items.compactMap { if case let .string(text) = $0 { text } else { nil } })
    }

    /// A VO's stored revocations and its revoked packages present, for the API.
    func revocationList(_ site: VOSite, alerted: [String]? = nil) -> RevocationList {
        let area = site.area
        let policy = area.configuration.revocationPolicy
        let leases = area.liveLeases()
        return RevocationList(
            policy: policy.rawValue,
            revocations: area.knownRevocations().map {
                .init(package: $0.spelling, arch: $0.arch, target: $0.target, sha256: $0.sha256, reason: $0.reason, time: $0.time)
            },
            present: area.revokedPresent().map { package, revocation in
                let holders = leases.filter { $0.packages.contains(package.key.description) }.map(\.holder)
                let state =
                    switch policy {
                    case .alert: "alert"
                    case .quarantine: "quarantined"
                    case .remove: holders.isEmpty ? "kept-required" : "kept-leased"
                    }
                return .init(package: package.key.description, reason: revocation.reason, time: revocation.time, state: state, leases: holders)
            },
            alerted: alerted)
    }

    /// `GET /v1/revocations`, `POST /v1/revocations/refresh` (admin: a refresh now), each of one
    /// VO (`?vo=`, the default VO without).
    func addRevocationRoutes(_ v1: RouterGroup<PackManContext>) {
        v1.get("revocations") { request, _ in
            let site = try self.site(named: request.uri.queryParameters.get("vo") ?? self.config.vo)
            return JSONAnswer.make(try await offload { self.revocationList(site) })
        }
        v1.post("revocations/refresh") { request, context in
            let site = try self.site(named: request.uri.queryParameters.get("vo") ?? self.config.vo)
            let who = try await self.authorize(request, context, .admin, action: "revocations.refresh", subject: "revocations", vo: site.name)
            do {
                let (_, alerted) = try await self.refreshRevocations(in: site)
                self.audit(who, "revocations.refresh", "revocations", "refreshed", vo: site.name)
                return JSONAnswer.make(try await offload { self.revocationList(site, alerted: alerted) })
            } catch {
                self.audit(who, "revocations.refresh", "revocations", "failed: \(error)", vo: site.name)
                throw APIError(.badGateway, "\(error)")
            }
        }
    }

    /// 409 with the reason when a request can only be satisfied by a revoked build of the VO
    /// (after a refresh of its revocations); other failures are left to the install job.
    func refuseRevoked(_ packages: [String], in site: VOSite) async throws {
        // A refresh as any other: a new revocation is applied and alerted of at once.
        guard let revoked = try? await refreshRevocations(in: site).report.revocations, !revoked.isEmpty,
            let catalog = try? site.area.catalog()
        else { return }
        for text in packages {
            guard let id = try? PackageID(parsing: text) else { continue }
            do { _ = try await catalog.resolve(id, excluding: revoked) } catch {
                if case .revoked = error { throw APIError(.conflict, error.description) }
            }
        }
    }
}

/// Refreshes the repository's revocations every `interval` seconds until shutdown.
struct RevocationService: Service {
    let daemon: PackManDaemon
    let interval: Int
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                await daemon.refreshAllRevocations(logger: logger)
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }
}

extension PackManDaemon {
    /// The status page's "Revoked packages still present" section, one per VO.
    func revokedSection() -> String { sites.map { revokedSection($0) }.joined() }

    func revokedSection(_ site: VOSite) -> String {
        let list = revocationList(site)
        let title = sites.count > 1 ? "Revoked packages of \(Self.escape(site.name)) still present" : "Revoked packages still present"
        var html = "<h2>\(title) (\(list.present.count))</h2>\n"
        guard !list.present.isEmpty else {
            return html + "<p class=\"ok\">none (\(list.revocations.count) revocation(s) known; policy \(list.policy))</p>\n"
        }
        html +=
            "<p>policy: \(Self.escape(list.policy))</p>\n<table><tr><th>package</th><th>state</th><th>revoked at</th><th>reason</th><th>leased by</th></tr>\n"
        for entry in list.present {
            html += "<tr><td class=\"bad\">\(Self.escape(entry.package))</td><td>\(Self.escape(entry.state))</td><td>\(Self.escape(entry.time))</td>"
            html += "<td>\(Self.escape(entry.reason))</td><td>\(Self.escape(entry.leases.joined(separator: ", ")))</td></tr>\n"
        }
        return html + "</table>\n"
    }
}
