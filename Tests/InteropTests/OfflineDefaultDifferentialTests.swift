import AlienModel
import Foundation
import Recipes
import Resolver
import Testing

/// `resolve`'s offline default against aliBuild 1.17.48's own default for `build` on its store
/// architectures (`noSystem="*"`), on recipes written here in the shape of what diverged on
/// real alidist (issue 15 §1; `scripts/alidist_differential.sh` runs the real thing):
/// - a gpu-system-like package (`allow_system_package_upload`, `version: "error"`) whose
///   prefer check runs even under --no-system and names a replacement spec, gated on
///   `ALIBUILD_VERSION` as alidist's is;
/// - an O2Physics-like `track_env` whose output (`install`) goes into the hash;
/// - a system requirement that fails on this host (assumed present on both sides).
extension AliBuildDifferentialTests {
    static let gpuLikeStack: [String: String] = [
        "defaults-o2.sh": "package: defaults-o2\nversion: v1\nenv:\n  CXXSTD: '20'\n---\n",
        "gpuish.sh": """
        package: gpuish
        version: "error"
        allow_system_package_upload: true
        prefer_system: .*
        prefer_system_check: |
          #!/bin/bash -e
          verge() { [[ "$1" = "$(echo -e "$1\\n$2" | sort -V | head -n1)" ]]; }
          if [[ -z $ALIBUILD_VERSION ]] || ! verge 1.17.40 $ALIBUILD_VERSION; then
            FEATURES=none
          elif [[ $TEST_FORCE_FEATURES == disable ]]; then
            FEATURES=none
          else
            FEATURES=auto-${ALIBUILD_VERSION//./_}
          fi
          echo "alibuild_system_replace: $FEATURES"
          true
        prefer_system_replacement_specs:
          "error.*":
            version: error
            recipe: |
              exit 1
          ".*":
            version: "%(key)s"
            recipe: |
              mkdir -p "$INSTALLROOT/etc"
        ---

        """,
        "onnxish.sh": "package: onnxish\nversion: v1.22.0\nrequires:\n  - gpuish\n---\necho onnx\n",
        "xdevelish.sh": "package: xdevelish\nversion: '1.0'\nsystem_requirement: .*\nsystem_requirement_check: exit 1\n---\n",
        "cmakeish.sh": "package: cmakeish\nversion: v3.30\nprefer_system: .*\nprefer_system_check: exit 0\n---\necho cmake\n",
        "physicsish.sh": """
        package: physicsish
        version: daily-20260101
        requires:
          - onnxish
          - xdevelish
        build_requires:
          - cmakeish
        track_env:
          COMPONENTS: echo ${TEST_COMPONENTS:-install}
          LAUNCHER: echo ${TEST_USE_RECC+recc}
        ---
        echo physics

        """
    ]

    @Test func offlineDefaultOnAGPULikeStack() throws {
        let directory = try Interop.temporaryDirectory("gpu-like")
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in Self.gpuLikeStack {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        for arch in ["slc9_x86-64", "ubuntu2404_x86-64", "osx_arm64"] {
            for local in [false, true] {
                let outcome = try Self.compare(
                    Case(
                        configDir: directory, targets: ["physicsish"], defaults: "o2", arch: arch,
                        local: local, offlineDefault: true, label: "gpu-like stack \(arch) local=\(local)"))
                #expect(outcome == .bothResolved)
            }
        }
        // Not "error" (what the offline default gave before), and ALIBUILD_VERSION reached the check.
        let plan = try Self.resolve(
            Case(
                configDir: directory, targets: ["physicsish"], defaults: "o2", arch: "slc9_x86-64",
                offlineDefault: true, label: "plan"))
        #expect(plan.packages.first { $0.key.rawValue == "gpuish" }?.value.version == "auto-1_17_48")
        #expect(plan.packages.first { $0.key.rawValue == "physicsish" }?.value.trackEnv?["COMPONENTS"] == .string("install"))
    }
}
