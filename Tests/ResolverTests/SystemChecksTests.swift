import AlienModel
import Recipes
import Resolver
import Testing
import TestSupport

/// The checkers and what the offline default asks of them. Regression for issue 15 §1: on
/// alidist, gpu-system (`allow_system_package_upload`, `version: "error"`) got the version
/// `error` offline, so O2 and everything above it had hashes no aliBuild store holds; and
/// O2Physics' `track_env` printed nothing offline where aliBuild prints `install`.
@Suite struct SystemChecksTests {
    typealias F = RecipeFixtures

    /// A gpu-system-like stack written here: the check prints the key naming the features.
    static let files: [String: String] = [
        "defaults-o2.sh": F.text("package: defaults-o2\nversion: v1"),
        "gpu.sh": F.text(
            """
            package: gpu
            version: "error"
            allow_system_package_upload: true
            prefer_system: .*
            prefer_system_check: |
              echo "alibuild_system_replace: ${FEATURES:-none}"
            prefer_system_replacement_specs:
              "error.*":
                version: error
                recipe: exit 1
              ".*":
                version: "%(key)s"
                recipe: echo features
            """),
        "cmake.sh": F.text("package: cmake\nversion: v3\nprefer_system: .*\nprefer_system_check: which cmake"),
        "xdevel.sh": F.text("package: xdevel\nversion: v1\nsystem_requirement: .*\nsystem_requirement_check: \"false\""),
        "physics.sh": F.text(
            """
            package: physics
            version: v1
            requires: [gpu, cmake, xdevel]
            track_env:
              COMPONENTS: echo ${COMPONENTS:-install}
            """)
    ]

    /// What the host's bash would print for each check: features "none", components "install",
    /// every plain prefer check and every requirement fails.
    static func host() -> ScriptedSystem {
        ScriptedSystem { request in
            switch request.kind {
            case .preferSystem where request.package.rawValue == "gpu": SystemCheckResult(exitStatus: 0, output: "alibuild_system_replace: none")
            case .trackEnv: SystemCheckResult(exitStatus: 0, output: "install")
            default: SystemCheckResult(exitStatus: 1)
            }
        }
    }

    static func plan(checker: any SystemChecker, policy: SystemPolicy) throws -> BuildPlan {
        let request = ResolutionRequest(
            targets: [try PackageName("physics")], defaults: "o2",
            architecture: F.architecture("slc9_x86-64"), systemPolicy: policy)
        return try Resolver(provider: F.provider(files), checker: checker).resolve(request)
    }

    @Test func offlineDefaultRunsTheUploadCheckAndTrackEnvOnly() throws {
        let host = Self.host()
        let plan = try Self.plan(checker: RequirementsAssumed(host), policy: SystemPolicy(noSystem: .all))
        let gpu = try #require(plan[try PackageName("gpu")])
        #expect(gpu.version == "none")
        #expect(gpu.origin == .systemReplacement(key: "none", built: true))
        #expect(gpu.recipe == "echo features")
        let physics = try #require(plan[try PackageName("physics")])
        #expect(physics.trackEnv?["COMPONENTS"] == .string("install"))
        // cmake's prefer check is skipped (noSystem), xdevel's requirement is taken as present.
        #expect(plan[try PackageName("cmake")]?.version == "v3")
        #expect(plan.disabled.contains("xdevel"))
        #expect(plan.builtHere.map(\.rawValue) == ["gpu"])
        let asked = host.requests.map { "\($0.package) \($0.kind)" }
        #expect(asked == ["physics trackEnv(variable: \"COMPONENTS\")", "gpu preferSystem"])
    }

    @Test func theUploadCheckDecidesTheHashesAbove() throws {
        let offline = try Self.plan(checker: RequirementsAssumed(Self.host()), policy: SystemPolicy(noSystem: .all))
        // What alien-install did before: no check at all, so gpu kept `error`.
        let old = try Self.plan(checker: AssumedSystem(), policy: SystemPolicy())
        let gpu = try PackageName("gpu"), physics = try PackageName("physics")
        #expect(old[gpu]?.version == "error")
        #expect(offline[gpu]?.remoteHash != old[gpu]?.remoteHash)
        #expect(offline[physics]?.remoteHash != old[physics]?.remoteHash)
        #expect(offline[physics]?.hashInputs.contains(HashInput(label: "requires gpu", value: offline[gpu]!.remoteHash)) == true)
    }

    @Test func theErrorKeyPicksTheErrorSpec() throws {
        let failing = ScriptedSystem { request in
            request.kind == .preferSystem
                ? SystemCheckResult(exitStatus: 0, output: "alibuild_system_replace: error-no cmake")
                : SystemCheckResult(exitStatus: 0)
        }
        let plan = try Self.plan(checker: RequirementsAssumed(failing), policy: SystemPolicy(noSystem: .all))
        #expect(plan[try PackageName("gpu")]?.version == "error")
        #expect(plan[try PackageName("gpu")]?.recipe == "exit 1")
    }

    @Test func noSystemForTheNamedPackageStillRunsItsUploadCheck() throws {
        let host = Self.host()
        let plan = try Self.plan(checker: RequirementsAssumed(host), policy: SystemPolicy(noSystem: .packages(["gpu"])))
        #expect(plan[try PackageName("gpu")]?.version == "none")
        // cmake is not excluded here: its check runs (and fails, so it is built).
        #expect(host.requests.contains { $0.package.rawValue == "cmake" && $0.kind == .preferSystem })
        #expect(Set(plan.builtHere.map(\.rawValue)) == ["gpu", "cmake"])
    }

    @Test func requirementsAssumedAnswersOnlyRequirements() throws {
        let probe = ScriptedSystem { _ in SystemCheckResult(exitStatus: 7, output: "ran") }
        let checker = RequirementsAssumed(probe)
        let package = try PackageName("p")
        #expect(checker.run(SystemCheckRequest(package: package, kind: .systemRequirement, script: "false")) == SystemCheckResult(exitStatus: 0))
        #expect(checker.run(SystemCheckRequest(package: package, kind: .preferSystem, script: "x")) == SystemCheckResult(exitStatus: 7, output: "ran"))
        #expect(checker.run(SystemCheckRequest(package: package, kind: .trackEnv(variable: "V"), script: "y")).output == "ran")
        #expect(probe.requests.count == 2)
    }
}
