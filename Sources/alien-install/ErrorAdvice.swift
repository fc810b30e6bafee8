import HostEnvironment
import PackManAPI
import Publisher
import Resolver
import SoftwareArea

/// The command line's words for library errors. Libraries say what is wrong and what kind of
/// action helps in neutral terms (packmand sends the same errors over HTTP, where no flags
/// exist); here, at the CLI's one mapping point, the options that help are named.
enum ErrorAdvice {
    /// The error with the CLI's advice, or nil when the CLI has nothing to add.
    static func describe(_ error: any Error) -> String? {
        switch error {
        case let error as SoftwareAreaError: area(error)
        case let error as PublisherError: publisher(error)
        case let error as HostError: host(error)
        case let error as ResolverError: resolver(error)
        case let error as PackManClientError: packman(error)
        default: nil
        }
    }

    static func area(_ error: SoftwareAreaError) -> String? {
        switch error {
        case let .noArea(path, _):
            "\(error)\n  make one with: alien-install list --available --area \(path) --repo URL --root ROOT_JSON"
                + "\n  (or install into it: alien-install install PKG --area \(path) --repo URL --root ROOT_JSON)"
        case .notInitialized: "\(error)\n  give it once with: --root ROOT_JSON"
        case .noRepository: "\(error)\n  give it once with: --repo URL"
        case .insufficientSpace: "\(error)\n  free space with: alien-install gc --budget SIZE (or install --evict)"
        case .leased, .required: "\(error) (--force to remove anyway)"
        case let .revoked(package, _, _):
            "\(error)\n  the other builds: alien-install list --available (revoked ones are marked); \(package.split(separator: "/").first.map(String.init) ?? "PKG") alone picks the newest not revoked"
        case let .invalidArgument(name, expected, got) where ["arch", "holder"].contains(name):
            "--\(name): expected \(expected), got '\(got)'"
        default: nil
        }
    }

    static func publisher(_ error: PublisherError) -> String? {
        switch error {
        case .stillRequired: "\(error) or pass --force"
        case .severalArchitectures: "\(error) with --arch"
        default: nil
        }
    }

    static func host(_ error: HostError) -> String? {
        switch error {
        case .undetectableArchitecture: "\(error)\n  give it with: --arch ARCH (e.g. --arch slc9_x86-64)"
        case .noRecipes: "\(error)\n  give one with: --config-dir DIR"
        case .badDate: "\(error) (--date)"
        }
    }

    static func resolver(_ error: ResolverError) -> String? {
        guard case let .missingSystemRequirements(names, defaults) = error else { return nil }
        return "\(error)\n  run: alien-install doctor --defaults \(defaults) \(names.joined(separator: " "))"
    }

    static func packman(_ error: PackManClientError) -> String? {
        guard case .badEndpoint = error else { return nil }
        return "\(error) (--packman, or ALIEN_PACKMAN)"
    }
}
