import AlienModel
import Recipes
import Resolver
import Testing
import TestSupport

/// Behaviour of resolution (aliBuild's getPackageList + doBuild), on small fixtures.
@Suite struct ResolverTests {
    typealias F = RecipeFixtures

    static func plan(
        _ files: [String: String], targets: String..., defaults: String = "release",
        arch: String = "slc7_x86-64", disable: [String] = [],
        checker: any SystemChecker = AssumedSystem(), policy: SystemPolicy = .init()
    ) throws -> BuildPlan {
        var all = files
        if all["defaults-release.sh"] == nil { all["defaults-release.sh"] = F.defaultsRelease }
        let request = ResolutionRequest(
            targets: targets.map { try! PackageName($0) }, defaults: defaults, architecture: F.architecture(arch),
            disable: disable, systemPolicy: policy)
        return try Resolver(provider: F.provider(all), checker: checker).resolve(request)
    }

    static func names(_ list: [PackageName]) -> [String] { list.map(\.rawValue) }

    @Test func closureOrderAndRequires() throws {
        let plan = try Self.plan(
            [
                "top.sh": F.text("package: top\nversion: v1\nrequires: [mid, lib]\nbuild_requires: [tool]"),
                "mid.sh": F.text("package: mid\nversion: v2\nrequires: [lib]"),
                "lib.sh": F.text("package: lib\nversion: v3"),
                "tool.sh": F.text("package: tool\nversion: v4")
            ], targets: "top")
        #expect(Self.names(plan.discoveryOrder) == ["top", "mid", "lib", "tool", "defaults-release"])
        #expect(Self.names(plan.buildOrder) == ["defaults-release", "lib", "mid", "tool", "top"])
        let top = try #require(plan[try PackageName("top")])
        #expect(Self.names(top.runtimeRequires) == ["mid", "lib"])
        #expect(Self.names(top.buildRequires) == ["tool", "defaults-release"])
        #expect(Self.names(top.fullBuildRequires) == ["defaults-release", "tool"])
        #expect(Self.names(top.fullRuntimeRequires) == ["lib", "mid"])
    }

    @Test func architectureAndDefaultsFilters() throws {
        let files = [
            "top.sh": F.text(
                """
                package: top
                version: v1
                requires:
                  - "onslc:slc.*"
                  - "onubuntu:ubuntu"
                  - "withnext:defaults=next"
                """),
            "onslc.sh": F.text("package: onslc\nversion: v1"),
            "onubuntu.sh": F.text("package: onubuntu\nversion: v1"),
            "withnext.sh": F.text("package: withnext\nversion: v1"),
            "defaults-next.sh": F.text("package: defaults-next\nversion: v1")
        ]
        let slc = try Self.plan(files, targets: "top")
        #expect(Set(slc.packages.keys.map(\.rawValue)) == ["top", "onslc", "defaults-release"])
        let ubuntu = try Self.plan(files, targets: "top", defaults: "next", arch: "ubuntu2204_x86-64")
        #expect(Set(ubuntu.packages.keys.map(\.rawValue)) == ["top", "onubuntu", "withnext", "defaults-release"])
    }

    @Test func overridesReplaceWholeFieldsByRegexOnLowercasedNames() throws {
        let plan = try Self.plan(
            [
                "defaults-release.sh": F.text(
                    """
                    package: defaults-release
                    version: v1
                    env:
                      CXXFLAGS: "-O2"
                    overrides:
                      "Lib.*":
                        version: "v9"
                        requires: []
                      top:
                        tag: "t-%(year)s"
                    """),
                "top.sh": F.text("package: top\nversion: \"%(tag)s\"\nrequires: [libA]"),
                "liba.sh": F.text("package: libA\nversion: v1\nrequires: [gone]")
            ], targets: "top")
        #expect(plan[try PackageName("libA")]?.version == "v9")
        #expect(plan[try PackageName("libA")]?.runtimeRequires == [])
        #expect(plan[try PackageName("top")]?.version == "t-%(year)s", "tag templates expand only with a source")
        #expect(plan[try PackageName("defaults-release")]?.env?["CXXFLAGS"] == .string("-O2"))
    }

    @Test func disabledPackagesLeaveEveryList() throws {
        let plan = try Self.plan(
            [
                "defaults-release.sh": F.text("package: defaults-release\nversion: v1\ndisable: [b]"),
                "top.sh": F.text("package: top\nversion: v1\nrequires: [a, b, c]"),
                "a.sh": F.text("package: a\nversion: v1"),
                "c.sh": F.text("package: c\nversion: v1")
            ], targets: "top", disable: ["c"])
        #expect(Self.names(plan[try PackageName("top")]!.runtimeRequires) == ["a"])
        #expect(plan.disabled == ["b", "c"])
    }

    @Test func missingRecipeNamesWhoRequiredIt() throws {
        #expect {
            try Self.plan(["top.sh": F.text("package: top\nversion: v1\nrequires: [ghost]")], targets: "top")
        } throws: { error in
            "\(error)".contains("ghost") && "\(error)".contains("required by top")
        }
    }

    @Test func cycleIsNamed() throws {
        #expect {
            try Self.plan(
                [
                    "a.sh": F.text("package: a\nversion: v1\nrequires: [b]"),
                    "b.sh": F.text("package: b\nversion: v1\nrequires: [a]")
                ], targets: "a")
        } throws: { error in
            (error as? ResolverError) == .cycle(["a", "b", "a"])
        }
    }

    @Test func misspeltRequirement() throws {
        #expect(throws: ResolverError.self) {
            try Self.plan(
                [
                    "top.sh": F.text("package: top\nversion: v1\nrequires: [Lib]"),
                    "lib.sh": F.text("package: lib\nversion: v1")
                ], targets: "top")
        }
    }

    @Test func validDefaultsViolationNamesThePackage() throws {
        let files = [
            "top.sh": F.text("package: top\nversion: v1\nvalid_defaults: [o2, next]"),
            "defaults-next.sh": F.text("package: defaults-next\nversion: v1")
        ]
        #expect { try Self.plan(files, targets: "top") } throws: { error in
            guard case let .invalidDefaults(defaults, valid, offenders) = error as? ResolverError else { return false }
            return defaults == "release" && valid == ["o2", "next"] && offenders == ["top"]
        }
        #expect(try Self.plan(files, targets: "top", defaults: "next").packages.count == 2)
    }

    @Test func preferSystemDisablesThePackageWhenTheCheckPasses() throws {
        let files = [
            "top.sh": F.text("package: top\nversion: v1\nrequires: [cmake]"),
            "cmake.sh": F.text("package: cmake\nversion: \"3.28\"\nprefer_system: \".*\"\nprefer_system_check: \"which cmake\"")
        ]
        let system = ScriptedSystem { request in
            SystemCheckResult(exitStatus: request.kind == .preferSystem ? 0 : 1)
        }
        let plan = try Self.plan(files, targets: "top", checker: system)
        #expect(plan[try PackageName("cmake")] == nil)
        #expect(Self.names(plan.fromSystem) == ["cmake"])
        #expect(plan[try PackageName("top")]!.runtimeRequires.isEmpty)
        #expect(system.requests.first?.script == "REQUESTED_VERSION=3.28\nwhich cmake")
        let built = try Self.plan(files, targets: "top", checker: system, policy: SystemPolicy(noSystem: .all))
        #expect(built[try PackageName("cmake")] != nil)
    }

    @Test func replacementSpecChosenByTheCheckOutput() throws {
        let files = [
            "top.sh": F.text("package: top\nversion: v1\nrequires: [gcc]"),
            "gcc.sh": F.text(
                """
                package: gcc
                version: v13
                prefer_system: ".*"
                prefer_system_check: "echo alibuild_system_replace: gcc12"
                prefer_system_replacement_specs:
                  "gcc1[0-9]":
                    version: "sys-%(key)s"
                    env:
                      CC: gcc
                """)
        ]
        let system = ScriptedSystem { _ in SystemCheckResult(exitStatus: 0, output: "found\nalibuild_system_replace: gcc12\n") }
        let plan = try Self.plan(files, targets: "top", checker: system)
        let gcc = try #require(plan[try PackageName("gcc")])
        #expect(gcc.version == "sys-gcc12")
        #expect(gcc.origin == .systemReplacement(key: "gcc12", built: false))
        #expect(gcc.env?["CC"] == .string("gcc"))
    }

    @Test func systemRequirementFailureStopsABuildButNotADiagnosis() throws {
        let files = [
            "top.sh": F.text("package: top\nversion: v1\nrequires: [make]"),
            "make.sh": F.text(
                "package: make\nversion: \"1.0\"\nsystem_requirement: \".*\"\nsystem_requirement_check: \"which make\"\nsystem_requirement_missing: install make"
            )
        ]
        let absent = AssumedSystem(systemRequirementsPresent: false)
        #expect(throws: ResolverError.missingSystemRequirements(["make"], defaults: "release")) {
            try Self.plan(files, targets: "top", checker: absent)
        }
        let request = ResolutionRequest(targets: [try PackageName("top")], architecture: F.architecture())
        var all = files
        all["defaults-release.sh"] = F.defaultsRelease
        let diagnosed = try Resolver(provider: F.provider(all), checker: absent).diagnose(request)
        #expect(Self.names(diagnosed.failedRequirements) == ["make"])
        let report = DoctorReport(plan: diagnosed, checks: [])
        #expect(report.exitCode == 1)
        #expect(report.text.contains("install make"))
        let present = try Self.plan(files, targets: "top")
        #expect(present[try PackageName("make")] == nil)
    }

    @Test func trackEnvOutputIsHashed() throws {
        let files = ["top.sh": F.text("package: top\nversion: v1\ntrack_env:\n  CXX_VERSION: \"c++ --version\"")]
        let plan = try Self.plan(files, targets: "top", checker: ScriptedSystem { _ in SystemCheckResult(exitStatus: 0, output: "12.2") })
        let top = try #require(plan[try PackageName("top")])
        #expect(top.trackEnv?["CXX_VERSION"] == .string("12.2"))
        #expect(top.hashInputs.contains(HashInput(label: "track_env", value: "OrderedDict([('CXX_VERSION', '12.2')])")))
    }

    @Test func versionTemplates() throws {
        let files = [
            "defaults-next-gen.sh": F.text("package: defaults-next-gen\nversion: v1"),
            "top.sh": F.text(
                """
                package: top
                version: "%(tag_basename)s%(defaults_upper)s-%(short_hash)s-%(year)s%(month)s"
                tag: releases/v2
                source: https://example.org/top.git
                """)
        ]
        let request = ResolutionRequest(
            targets: [try PackageName("top")], defaults: "next-gen", architecture: F.architecture(),
            branches: ["https://example.org/top.git": ["releases/v2": "0123456789abcdef0123456789abcdef01234567"]],
            date: ResolutionDate(year: 2026, month: 3, day: 9, hour: 7))
        var all = files
        all["defaults-release.sh"] = F.defaultsRelease
        let plan = try Resolver(provider: F.provider(all)).resolve(request)
        #expect(plan[try PackageName("top")]?.version == "v2_NEXT_GEN-0123456789-202603")
    }

    @Test func badTemplateIsAnErrorWithItsLocation() throws {
        #expect {
            try Self.plan(["top.sh": F.text("package: top\nversion: \"%(nope)s\"")], targets: "top")
        } throws: { error in
            "\(error)".contains("fixtures/top.sh:2") && "\(error)".contains("nope")
        }
    }
}
