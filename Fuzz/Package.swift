// swift-tools-version: 6.1
// libFuzzer targets for alien-install's parsers. Built only by `make fuzz` (scripts/fuzz.sh):
//   swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
import PackageDescription

let package = Package(
    name: "alien-install-fuzz",
    dependencies: [.package(name: "alien-install", path: "..")],
    targets: [
        .executableTarget(
            name: "RecipeFuzzer",
            dependencies: [.product(name: "AlienInstallCore", package: "alien-install")]),
    ],
    swiftLanguageModes: [.v6]
)
