import AlienModel
import AreaEnvironment
import Forensics
import Foundation
public import Hummingbird
import PackManAPI
import SoftwareArea
import Trust

extension PackManDaemon {
    /// Every endpoint of docs/api.md.
    public func router() -> Router<PackManContext> {
        let router = Router(context: PackManContext.self)
        router.add(middleware: ErrorAndMetricsMiddleware(metrics: metrics))
        router.get("/") { _, _ in try await self.statusPage() }
        router.get("/metrics") { _, _ in
            self.refreshGauges()
            let counts = await self.counts
            self.metrics.queue(running: counts.running, queued: counts.queued)
            for site in self.sites {
                let own = await site.engine.counts
                self.metrics.queue(vo: site.name, running: own.running, queued: own.queued)
            }
            return JSONAnswer.text(self.metrics.exposition(), type: "text/plain; version=0.0.4")
        }
        let v1 = router.group("v1")
        v1.get("health") { _, _ in try await self.health() }
        v1.get("packages") { request, _ in try await self.packages(request) }
        v1.get("installed") { request, _ in
            let vo = try self.requestedVO(request.uri.queryParameters.get("vo"))
            return JSONAnswer.make(try await offload { try self.installedInfo(vo: vo) })
        }
        v1.get("packages/{id}/dependencies") { _, context in try await self.dependencies(try Self.packageParameter(context)) }
        v1.get("packages/{id}/log") { _, context in
            let id = try Self.packageParameter(context)
            return JSONAnswer.make(PackageLog(package: id, lines: try self.log(of: id)))
        }
        v1.post("packages/{id}/test") { request, context in
            let id = try Self.packageParameter(context)
            let vo = try self.site(for: try Self.parse(id)).name
            let who = try await self.authorize(request, context, .job, action: "test", subject: id, vo: vo)
            return try await self.test(id, identity: who)
        }
        v1.post("install") { request, context in try await self.install(request, context) }
        v1.get("jobs") { request, _ in
            JSONAnswer.make(try await self.recentJobs(vo: try self.requestedVO(request.uri.queryParameters.get("vo"))))
        }
        v1.get("jobs/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let job = await self.job(id) else { throw APIError(.notFound, "no job \(id)") }
            return JSONAnswer.make(job)
        }
        v1.delete("installed/{id}") { request, context in
            let id = try Self.packageParameter(context)
            let vo = try self.site(for: try Self.parse(id)).name
            let who = try await self.authorize(request, context, .admin, action: "remove", subject: id, vo: vo)
            return try await self.remove(id, identity: who)
        }
        v1.post("synchronize") { request, context in try await self.synchronize(request, context) }
        v1.get("leases") { request, _ in
            let vo = try self.requestedVO(request.uri.queryParameters.get("vo"))
            let sites = try vo.map { [try self.site(named: $0)] } ?? self.sites
            return JSONAnswer.make(
                try await offload {
                    sites.flatMap { $0.area.liveLeases().map { LeaseInfo(holder: $0.holder, packages: $0.packages, expires: $0.expires) } }
                })
        }
        v1.post("leases") { request, context in try await self.lease(request, context, acquire: true) }
        v1.delete("leases") { request, context in try await self.lease(request, context, acquire: false) }
        v1.get("env") { request, context in try await self.environment(request, context) }
        v1.get("usage") { request, context in try await self.usage(request, context) }
        v1.post("usage") { request, context in try await self.reportUsage(request, context) }
        v1.post("notifications/test") { request, context in
            let who = try await self.authorize(request, context, .admin, action: "notifications.test", subject: "notifications", wholeSite: true)
            return try await self.testNotifications(identity: who)
        }
        v1.get("audit") { request, _ in
            var limit = 100
            if let text = request.uri.queryParameters.get("limit") {
                guard let value = Int(text), (1...10000).contains(value) else { throw APIError(.badRequest, "limit: expected 1…10000 entries, got '\(text)'") }
                limit = value
            }
            let vo = try self.requestedVO(request.uri.queryParameters.get("vo"))
            return JSONAnswer.make(try self.store.auditLog(limit: limit, vo: vo))
        }
        addRevocationRoutes(v1)
        return router
    }

    // MARK: reads

    func health() async throws -> Response {
        let counts = await self.counts
        let installed = try await offload { self.installedInfo() }
        // A job stuck behind another installer's lock (a local user, a hung process) is a
        // problem the answer names, while the daemon itself still answers.
        var waits: [(job: String, package: PackageBuild, seconds: Int, holder: Int32?)] = []
        for site in sites { waits += await site.engine.lockWaits }
        let reasons = waits.filter { $0.seconds >= config.lockWaitWarning }.map { wait in
            "job \(wait.job) has waited \(wait.seconds) s for the lock of \(wait.package)"
                + (wait.holder.map { " held by pid \($0)" } ?? "")
        }
        var health = Health(
            status: reasons.isEmpty ? "ok" : "degraded", area: area.layout.root, arch: area.layout.arch, installed: installed.count,
            runningJobs: counts.running, queuedJobs: counts.queued, diskUsed: installed.reduce(0) { $0 + $1.size },
            diskBudget: config.diskBudget, diskAvailable: area.disk.availableBytes(at: area.layout.root))
        health.reasons = reasons
        health.vo = config.vo
        health.vos = voNames
        return JSONAnswer.make(health)
    }

    /// `?name=X` (one package), `?arch=A` (only the area's architecture has packages), `?latest=true`
    /// (the newest of each name), `?package=X::latest` (what that request resolves to).
    func packages(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var id: PackageID?
        if let text = query.get("package") {
            do { id = try PackageID(parsing: text) } catch { throw APIError(.badRequest, "package: \(error.description)") }
        }
        // `?package=` routes by its owner prefix; a listing is of `?vo=` (else the default VO).
        let site = try id.map { try self.site(for: $0) } ?? self.site(named: query.get("vo") ?? config.vo)
        let area = site.area
        if let arch = query.get("arch"), arch != area.layout.arch { return JSONAnswer.make([PackageInfo]()) }
        let catalog: PackageCatalog
        do { catalog = try area.catalog() } catch { throw APIError(.serviceUnavailable, error.description) }
        var targets: [PackageTarget]
        if let id {
            do { targets = [try await catalog.resolve(id, excluding: try await catalog.revocations())] } catch {
                if case .unknownPackage = error { throw APIError(.notFound, error.description) }
                if case .revoked = error { throw APIError(.conflict, error.description) }
                throw APIError(.badGateway, error.description)
            }
        } else {
            do { targets = try await catalog.available(name: query.get("name")) } catch { throw APIError(.badGateway, error.description) }
        }
        if query.get("latest") == "true" {
            var seen = Set<PackageName>()
            targets = targets.filter { seen.insert($0.build.name).inserted }
        }
        let installed = Set(area.installed().map(\.record.target))
        return JSONAnswer.make(
            targets.map { target in
                PackageInfo(
                    id: target.build.qualified(owner: site.name), name: target.build.name.rawValue,
                    version: target.build.version.version, revision: target.build.version.revision, arch: target.arch, target: target.info.path,
                    length: target.info.file.length, requires: target.requires, installed: installed.contains(target.info.path))
            })
    }

    func dependencies(_ text: String) async throws -> Response {
        let id = try Self.parse(text)
        let area = try site(for: id).area
        do {
            let catalog = try area.catalog()
            let root = try await catalog.resolve(id, excluding: try await catalog.revocations())
            let closure = try await catalog.closure(of: [root])
            return JSONAnswer.make(DependencyList(package: root.build.description, dependencies: closure.filter { $0 != root }.map(\.build.description)))
        } catch {
            if case .unknownPackage = error { throw APIError(.notFound, error.description) }
            if case .revoked = error { throw APIError(.conflict, error.description) }
            throw APIError(.badGateway, error.description)
        }
    }

    /// The log lines of the installed (else the named) package.
    func log(of text: String) throws -> [LogLine] {
        let id = try Self.parse(text)
        let site = try self.site(for: id)
        let key = site.area.installed(matching: id).first?.key.description ?? "\(id.name.rawValue)/\(id.version)"
        return try site.store.log(package: key)
    }

    func environment(_ request: Request, _ context: PackManContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let list = query.get("packages"), !list.isEmpty else { throw APIError(.badRequest, "packages: expected a comma-separated list") }
        let shellName = query.get("shell") ?? "sh"
        guard let shell = EnvironmentShell(rawValue: shellName) else {
            throw APIError(.badRequest, "shell: expected one of \(EnvironmentShell.allCases.map(\.rawValue).joined(separator: ", ")), got '\(shellName)'")
        }
        // The VO of the packages' owner prefixes (else the default VO): one environment, one area.
        let site = try self.site(for: list.split(separator: ",").compactMap { try? PackageID(parsing: String($0)) })
        let area = site.area, environments = site.environments
        let key = "\(list)|\(shellName)"
        if let cached = environments.get(key) {
            // Served from the cache, still a use: stamped and recorded as a computed one is.
            await recordUse(kind: .environment, of: cached.closure.map(\.build), in: site, started: area.clock(), peerUID: await context.peerUID())
            return JSONAnswer.text(cached.text)
        }
        let entry: EnvironmentCache.Entry = try await offload {
            do throws(EnvironmentError) {
                // The use goes into packmand's database (below), not the area's log.
                let computed = try area.environment(
                    for: try EnvironmentRequest.parse([list]), base: ["PATH": "/usr/bin:/bin"],
                    recording: nil)
                return EnvironmentCache.Entry(text: shell.render(computed.changes), closure: computed.closure)
            } catch {
                switch error {
                case .badPackageArgument, .invalidPackageID: throw APIError(.badRequest, error.description)
                case .notInstalled, .missingDependency: throw APIError(.notFound, error.description)
                case .manifest: throw APIError(.unprocessableContent, error.description)
                case .revoked: throw APIError(.conflict, error.description)
                default: throw APIError(.internalServerError, error.description)
                }
            }
        }
        environments.set(key, entry)
        await recordUse(kind: .environment, of: entry.closure.map(\.build), in: site, started: area.clock(), peerUID: await context.peerUID())
        return JSONAnswer.text(entry.text)
    }

    // MARK: mutations

    func install(_ request: Request, _ context: PackManContext) async throws -> Response {
        let body = try await Self.body(InstallRequest.self, request, limit: config.maxBody)
        let subject = body.packages.joined(separator: " ")
        // Each id goes to its owner's VO (unprefixed: the default VO); one job works in one area.
        let site = try self.site(for: body.packages.compactMap { try? PackageID(parsing: $0) })
        let who = try await authorize(request, context, .job, action: "install", subject: subject, vo: site.name)
        do { try await refuseRevoked(body.packages, in: site) } catch {
            audit(who, "install", subject, "refused: \(error)", vo: site.name)
            throw error
        }
        let (job, joined): (JobStatus, Bool)
        do { (job, joined) = try await site.engine.install(body.packages, lease: body.lease, identity: who) } catch {
            audit(who, "install", subject, "refused: \(error.description)", vo: site.name)
            throw APIError(error == .stopping ? .serviceUnavailable : .badRequest, error.description)
        }
        audit(who, "install", subject, joined ? "joined" : "accepted", job: job.id, vo: site.name)
        return try await answer(job, request)
    }

    func synchronize(_ request: Request, _ context: PackManContext) async throws -> Response {
        let buffer = try await Self.bytes(request, limit: config.maxBody)
        let body = buffer.readableBytes == 0 ? SynchronizeRequest() : try Self.decode(SynchronizeRequest.self, buffer)
        if body.release != nil, body.packages != nil {
            throw APIError(.badRequest, "give either release or packages, not both")
        }
        let subject = body.wanted?.joined(separator: " ") ?? "*"
        // The packages' VO; without packages `?vo=` (else the default VO).
        let site =
            try body.wanted.map { try self.site(for: $0.compactMap { try? PackageID(parsing: $0) }) }
            ?? self.site(named: request.uri.queryParameters.get("vo") ?? config.vo)
        let who = try await authorize(request, context, .admin, action: "synchronize", subject: subject, vo: site.name)
        let job: JobStatus
        do { job = try await site.engine.synchronize(body.wanted, removeUndefined: body.removeUndefined ?? true, identity: who) } catch {
            audit(who, "synchronize", subject, "refused: \(error.description)", vo: site.name)
            throw APIError(error == .stopping ? .serviceUnavailable : .badRequest, error.description)
        }
        audit(who, "synchronize", subject, "accepted", job: job.id, vo: site.name)
        return try await answer(job, request)
    }

    /// 202 with the job; with `?wait=SECONDS` the answer waits (200 when the job finished by then).
    func answer(_ job: JobStatus, _ request: Request) async throws -> Response {
        guard let waitText = request.uri.queryParameters.get("wait") else { return JSONAnswer.make(job, status: .accepted) }
        guard let seconds = Int(waitText), seconds >= 0 else { throw APIError(.badRequest, "wait: expected seconds ≥ 0, got '\(waitText)'") }
        let engine = try site(named: job.vo ?? config.vo).engine
        let current = await engine.wait(job.id, seconds: min(seconds, config.maxWait)) ?? job
        return JSONAnswer.make(current, status: current.state.isFinished ? .ok : .accepted)
    }

    func remove(_ text: String, identity: String) async throws -> Response {
        let id = try Self.parse(text)
        let site = try self.site(for: id)
        do {
            let key = try await offload { () throws(SoftwareAreaError) -> String in try site.area.remove(id).description }
            site.environments.invalidate()
            audit(identity, "remove", text, "removed \(key)", vo: site.name)
            return JSONAnswer.make(RemoveResult(removed: key))
        } catch let error as SoftwareAreaError {
            audit(identity, "remove", text, "refused: \(error.description)", vo: site.name)
            switch error {
            case .notInstalled: throw APIError(.notFound, error.description)
            case .leased, .required: throw APIError(.conflict, error.description)
            default: throw APIError(.internalServerError, error.description)
            }
        }
    }

    func lease(_ request: Request, _ context: PackManContext, acquire: Bool) async throws -> Response {
        let body = try await Self.body(LeaseRequest.self, request, limit: config.maxBody)
        let subject = "\(body.holder): \((body.packages ?? []).joined(separator: " "))"
        let requests = try (body.packages ?? []).map(Self.parse)
        // The packages' VO; a release of all of a holder's packages: `?vo=`, else the VO where the
        // holder has a lease (a job's packages are one VO's), else the default VO.
        let site: VOSite
        if !requests.isEmpty {
            site = try self.site(for: requests)
        } else if let vo = request.uri.queryParameters.get("vo") {
            site = try self.site(named: vo)
        } else {
            let holding = try await offload { self.sites.first { $0.area.liveLeases().contains { $0.holder == body.holder } } }
            site = holding ?? sites[0]
        }
        let who = try await authorize(request, context, .job, action: acquire ? "lease" : "release", subject: subject, vo: site.name)
        do {
            if acquire {
                guard !requests.isEmpty else { throw APIError(.badRequest, "packages: expected at least one package") }
                guard let ttl = body.ttl, ttl > 0, ttl <= 30 * 86400 else { throw APIError(.badRequest, "ttl: expected 1…2592000 seconds") }
                let lease = try await offload { () throws(SoftwareAreaError) -> Lease in
                    try site.area.acquireLease(holder: body.holder, packages: requests, ttl: ttl)
                }
                audit(who, "lease", subject, "until \(lease.expires)", vo: site.name)
                _ = site.installedInfo(metrics: metrics)
                return JSONAnswer.make(LeaseInfo(holder: lease.holder, packages: lease.packages, expires: lease.expires))
            }
            let (before, started) = try await offload { (site.area.liveLeases().first { $0.holder == body.holder }, self.leaseStart(body.holder)) }
            let left = try await offload { () throws(SoftwareAreaError) -> Lease? in try site.area.releaseLease(holder: body.holder, packages: requests) }
            audit(who, "release", subject, left == nil ? "released" : "kept \(left!.packages.joined(separator: " "))", vo: site.name)
            // The lease's use, recorded at its release: the holder (the job) and how long it was held.
            if let before {
                let released = before.packages.filter { !(left?.packages ?? []).contains($0) }.compactMap { try? PackageBuild(parsing: $0) }
                let now = site.area.clock()
                if !released.isEmpty {
                    await recordUse(
                        kind: .lease, of: released, in: site, started: started ?? now, seconds: started.map { Double(max(0, now - $0)) },
                        jobID: body.holder, peerUID: await context.peerUID(), identity: who)
                }
            }
            _ = site.installedInfo(metrics: metrics)
            return JSONAnswer.make(left.map { [LeaseInfo(holder: $0.holder, packages: $0.packages, expires: $0.expires)] } ?? [])
        } catch let error as SoftwareAreaError {
            audit(who, acquire ? "lease" : "release", subject, "refused: \(error.description)", vo: site.name)
            if case .notInstalled = error { throw APIError(.notFound, error.description) }
            if case .revoked = error { throw APIError(.conflict, error.description) }
            throw APIError(.badRequest, error.description)
        }
    }

    // MARK: helpers

    static func packageParameter(_ context: PackManContext) throws -> String {
        guard let raw = context.parameters.get("id"), let text = raw.removingPercentEncoding, !text.isEmpty else {
            throw APIError(.badRequest, "expected a package id in the path")
        }
        return text
    }

    static func parse(_ text: String) throws -> PackageID {
        do { return try PackageID(parsing: text) } catch { throw APIError(.badRequest, error.description) }
    }

    static func bytes(_ request: Request, limit: Int) async throws -> ByteBuffer {
        do { return try await request.body.collect(upTo: limit) } catch {
            throw APIError(.contentTooLarge, "request body larger than \(limit) bytes")
        }
    }

    static func decode<T: StrictFields>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
        do { return try WireDecoding.decode(type, from: Data(buffer.readableBytesView)) } catch { throw APIError(.badRequest, error.description) }
    }

    static func body<T: StrictFields>(_ type: T.Type, _ request: Request, limit: Int) async throws -> T {
        let buffer = try await bytes(request, limit: limit)
        guard buffer.readableBytes > 0 else { throw APIError(.badRequest, "expected a JSON body") }
        return try decode(type, buffer)
    }
}
