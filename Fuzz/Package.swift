// swift-tools-version: 6.1
// libFuzzer targets for alien-install's parsers. Built only by `make fuzz` (scripts/fuzz.sh):
//   scripts/fuzz.sh (make fuzz) builds it with coverage instrumentation and libFuzzer.
import PackageDescription

let package = Package(
    name: "alien-install-fuzz",
    dependencies: [.package(name: "alien-install", path: "..")],
    targets: [
        // libFuzzer's driver entry point and the input as text, shared by the fuzzers.
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "RecipeFuzzer",
            dependencies: ["FuzzDriver", .product(name: "AlienInstallCore", package: "alien-install")]),
        .executableTarget(
            name: "JDLFuzzer",
            dependencies: ["FuzzDriver", .product(name: "AlienInstallCore", package: "alien-install")]),
    ],
    swiftLanguageModes: [.v6]
)
