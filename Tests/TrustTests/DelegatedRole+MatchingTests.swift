import Crypto
import Foundation
import Testing
@testable import Trust

@Suite struct DelegatedRoleMatchingTests {
    private func role(_ paths: DelegatedPaths, terminating: Bool = false, name: String = "r") throws -> DelegatedRole {
        try DelegatedRole(name: name, keyIDs: [], threshold: 1, terminating: terminating, paths: paths)
    }

    /// Cases checked against Python's fnmatch.fnmatchcase per component (python-tuf's rule).
    @Test(arguments: [
        ("pkgs/*", "pkgs/a.tar", true), ("pkgs/*", "pkgs/sub/a.tar", false), ("pkgs/*", "pkgs/", true),
        ("*", "a", true), ("*", "a/b", false), ("*/*", "a/b", true), ("*.tar", "x.tar", true), ("*.tar", "x.tgz", false),
        ("a?c", "abc", true), ("a?c", "a/c", false), ("a?c", "ac", false),
        ("[ab]x", "bx", true), ("[!ab]x", "bx", false), ("[!ab]x", "cx", true), ("[a-c]", "b", true), ("[a-c]", "d", false),
        ("[]]", "]", true), ("[", "[", true), ("a[", "a[", true), ("[^a]", "^", true),
        ("pkgs/ROOT-*.tar", "pkgs/ROOT-v6.tar", true), ("pkgs/ROOT-*.tar", "pkgs/root-v6.tar", false),
        ("*a*b*", "xxaybzz", true), ("*a*b*", "xxbyazz", false), ("", "", true), ("a/b", "a/b", true)
    ])
    func matchesPatternsLikeFnmatch(pattern: String, path: String, expected: Bool) throws {
        #expect(try role(.paths([pattern])).isDelegatedPath(path) == expected)
    }

    @Test func matchesHashPrefixes() throws {
        let digest = Array(SHA256.hash(data: Array("pkgs/a.tar".utf8))).map { String(format: "%02x", $0) }.joined()
        #expect(try role(.pathHashPrefixes([String(digest.prefix(2))])).isDelegatedPath("pkgs/a.tar"))
        #expect(try role(.pathHashPrefixes(["zz", String(digest.prefix(5))])).isDelegatedPath("pkgs/a.tar"))
        #expect(try !role(.pathHashPrefixes(["zz"])).isDelegatedPath("pkgs/a.tar"))
    }

    @Test func listsTheRolesForAPathInOrder() throws {
        let delegations = try Delegations(
            keys: [:],
            roles: [
                role(.paths(["a/*"]), name: "one"), role(.paths(["b/*"]), terminating: true, name: "two"),
                role(.paths(["*/x"]), terminating: true, name: "three")
            ])
        #expect(delegations.roles(for: "a/x").map(\.name) == ["one", "three"])
        #expect(delegations.roles(for: "a/x").map(\.terminating) == [false, true])
        #expect(delegations.roles(for: "c/y").isEmpty)
    }
}
