import Foundation
import Hummingbird
import PackManAPI

extension PackManDaemon {
    /// The identity of a mutating request's caller, or 401 (no or unknown token) / 403 (role too
    /// low, a token limited to other VOs than `vo`, or any VO-limited token when the action
    /// concerns the `wholeSite`). Refusals are audited. The identity is the token's name, plus
    /// `uid=N` on the unix socket or `cert=<common name>` of a TLS client certificate.
    func authorize(
        _ request: Request, _ context: PackManContext, _ needed: Role, action: String, subject: String, vo: String? = nil,
        wholeSite: Bool = false
    ) async throws -> String {
        let uid = await context.peerUID()
        var peer = uid.map { "uid=\($0)" }
        if peer == nil { peer = await context.peerCertificate() }
        guard let header = request.headers[.authorization], let token = Self.bearerToken(header) else {
            audit(peer ?? "anonymous", action, subject, "denied: no credential", vo: vo)
            throw APIError(.unauthorized, "\(action) needs a credential: Authorization: Bearer <token> (role \(needed.rawValue))")
        }
        guard let entry = tokens.authenticate(token) else {
            audit(peer ?? "anonymous", action, subject, "denied: unknown token", vo: vo)
            throw APIError(.unauthorized, "unknown token")
        }
        let identity = ([entry.name] + (peer.map { [$0] } ?? [])).joined(separator: " ")
        guard entry.role >= needed else {
            audit(identity, action, subject, "denied: role \(entry.role.rawValue), needs \(needed.rawValue)", vo: vo)
            throw APIError(.forbidden, "token \(entry.name) has role \(entry.role.rawValue); \(action) needs \(needed.rawValue)")
        }
        if wholeSite, let vos = entry.vos {
            let allowed = vos.sorted().joined(separator: ", ")
            audit(identity, action, subject, "denied: token limited to \(allowed)", vo: vo)
            throw APIError(.forbidden, "token \(entry.name) is limited to \(allowed); \(action) concerns every VO of the site")
        }
        if let vo, !entry.allows(vo: vo) {
            let allowed = (entry.vos ?? []).sorted().joined(separator: ", ")
            audit(identity, action, subject, "denied: token limited to \(allowed)", vo: vo)
            throw APIError(.forbidden, "token \(entry.name) is limited to \(allowed); \(action) of \(vo)'s packages is not allowed")
        }
        return identity
    }

    /// The VOs the request's token is limited to (nil: every VO, or no valid token — which
    /// `authorize` refuses).
    func tokenVOs(_ request: Request) -> Set<String>? {
        guard let header = request.headers[.authorization], let token = Self.bearerToken(header) else { return nil }
        return tokens.authenticate(token)?.vos
    }

    /// The token of an `Authorization: Bearer TOKEN` header; the scheme is matched without
    /// regard to case (RFC 7235), spaces around the token are dropped.
    static func bearerToken(_ header: String) -> String? {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }),
            trimmed[..<space].lowercased() == "bearer"
        else { return nil }
        let token = trimmed[space...].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
