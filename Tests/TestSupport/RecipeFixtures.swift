#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
public import AlienModel
public import Recipes
public import Resolver

/// Builds in-memory recipe sets for tests: `recipe("zlib", header: "...", body: "...")`.
public enum RecipeFixtures {
    /// A recipe file's text from header lines and a body.
    public static func text(_ header: String, body: String = "") -> String {
        header + "\n---\n" + body
    }

    /// A provider holding the given files (`name.sh` → text).
    public static func provider(_ files: [String: String]) -> InMemoryRecipeProvider {
        InMemoryRecipeProvider(files: files, label: "fixtures")
    }

    /// The smallest valid defaults file.
    public static let defaultsRelease = text("package: defaults-release\nversion: v1")

    public static func architecture(_ text: String = "slc7_x86-64") -> Architecture {
        try! Architecture(text)
    }

    public static func names(_ texts: String...) -> [PackageName] {
        texts.map { try! PackageName($0) }
    }
}

/// A system checker that answers from a table and records what it was asked.
public final class ScriptedSystem: SystemChecker, @unchecked Sendable {
    private let answer: @Sendable (SystemCheckRequest) -> SystemCheckResult
    private var log: [SystemCheckRequest] = []
    private let lock = NSLockLike()

    public init(_ answer: @escaping @Sendable (SystemCheckRequest) -> SystemCheckResult) {
        self.answer = answer
    }

    public var requests: [SystemCheckRequest] { lock.with { log } }

    public func run(_ request: SystemCheckRequest) -> SystemCheckResult {
        lock.with { log.append(request) }
        return answer(request)
    }
}

/// A tiny mutex so the fixture stays Sendable without Foundation's NSLock.
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func with<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
