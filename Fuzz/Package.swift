// swift-tools-version: 6.1
// libFuzzer targets for alien-install's parsers. Built only by `make fuzz` (scripts/fuzz.sh):
//   scripts/fuzz.sh (make fuzz) builds it with coverage instrumentation and libFuzzer.
import PackageDescription

let package = Package(
    name: "alien-install-fuzz",
    dependencies: [.package(name: "alien-install", path: "..")],
    targets: [
        .executableTarget(
            name: "RecipeFuzzer",
            dependencies: [.product(name: "AlienInstallCore", package: "alien-install")]),
        .executableTarget(
            name: "JDLFuzzer",
            dependencies: [.product(name: "AlienInstallCore", package: "alien-install")]),
    ],
    swiftLanguageModes: [.v6]
)
