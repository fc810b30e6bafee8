@testable import Trust

/// Small metadata builders shared by the Trust tests.
enum Fixtures {
    static let expires = Expiry(secondsSince1970: 1_893_456_000)  // 2030-01-01T00:00:00Z

    static func root(_ keys: [SigningKey], threshold: Int = 1) throws -> Root {
        var table: [String: Key] = [:]
        for key in keys { table[key.keyID] = key.key }
        let ids = keys.map(\.keyID)
        var roles: [String: RoleKeys] = [:]
        for name in Root.topLevelRoles { roles[name] = try RoleKeys(keyIDs: ids, threshold: threshold) }
        return try Root(version: 1, expires: expires, keys: table, roles: roles)
    }
}
