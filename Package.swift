// swift-tools-version: 6.1
// alien-install: recipes → signed relocatable tarballs → site installs.
// Module layout and import rules: see docs/ARCHITECTURE.md (mirrors shared DESIGN.md).
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault")
]

let package = Package(
    name: "alien-install",
    // Linux only (Debian 12): the code calls Glibc directly (SoftwareArea+Stream, Tarballs, CTorrent's
    // build flags); no other platform is declared because none is built or tested.
    products: [
        .executable(name: "alien-install", targets: ["alien-install"]),
        .executable(name: "packmand", targets: ["packmand"]),
        .executable(name: "alien-env", targets: ["alien-env"]),
        // The library modules, for the fuzzers in Fuzz/ and for embedding.
        .library(name: "AlienInstallCore", targets: ["AlienModel", "Recipes", "Resolver", "HostEnvironment", "Tarballs", "JDL"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // NIOHTTPTypes (already in the graph through Hummingbird): the listeners' connection guard.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1")
    ],
    targets: [
        // Pure value types: package identities, architectures, hashes.
        .target(name: "AlienModel", swiftSettings: strict),
        // What every I/O module needs once: atomic writes, EINTR-safe loops, byte sizes, HTTP dates,
        // PATH lookup, result slots. Glibc and Synchronization only (linked into the static alien-env).
        .target(name: "Basics", swiftSettings: strict),
        // libarchive (Debian libarchive-dev); the shim re-exports the cast macros (AE_IFREG, ...).
        .systemLibrary(name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        // Normalized tarball writing and streaming secure extraction.
        .target(
            name: "Tarballs",
            dependencies: ["AlienModel", "Basics", "CArchive", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // libcurl (Debian libcurl4-openssl-dev); the shim wraps the variadic setopt/getinfo.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Getting artifacts: HTTP on libcurl (Transfers: one multi-interface engine, mirrors, resume, retries).
        .target(
            name: "Transport",
            dependencies: ["AlienModel", "Basics", "CCurl", "Trust", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // libtorrent-rasterbar 2.0 (Debian libtorrent-rasterbar-dev) behind a small C API (no exceptions cross it).
        // The defines are exactly `pkg-config --cflags libtorrent-rasterbar` (the library's ABI depends on them).
        .target(
            name: "CTorrent",
            cxxSettings: [
                .define("TORRENT_LINKING_SHARED"), .define("BOOST_ASIO_ENABLE_CANCELIO"), .define("BOOST_ASIO_NO_DEPRECATED"),
                .define("TORRENT_USE_OPENSSL"), .define("TORRENT_USE_LIBCRYPTO"), .define("TORRENT_SSL_PEERS"),
                .define("OPENSSL_NO_SSL2"), .define("BOOST_ALL_NO_LIB")
            ],
            linkerSettings: [.linkedLibrary("torrent-rasterbar"), .linkedLibrary("ssl"), .linkedLibrary("crypto"), .linkedLibrary("curl")]),
        // BitTorrent over CTorrent: metainfo parsing and creation, the session actor, the swarm downloader.
        .target(
            name: "Torrents",
            dependencies: ["AlienModel", "CTorrent", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // Pure: recipe and defaults text → Recipe values (YAML via Yams, PyYAML semantics).
        .target(
            name: "Recipes",
            dependencies: ["AlienModel", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        // Pure: recipes × defaults × architecture → BuildPlan with aliBuild's hashes.
        .target(
            name: "Resolver",
            dependencies: ["AlienModel", "Basics", "Recipes", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // Pure: JDL (ClassAd subset) text → JDLDocument, printing, Packages, composed Requirements.
        .target(name: "JDL", dependencies: ["AlienModel"], swiftSettings: strict),
        // Pure: TUF metadata (canonical JSON, keys, roles, signatures); python-tuf compatible.
        .target(
            name: "Trust",
            dependencies: [
                "AlienModel", "Basics", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto")
            ],
            swiftSettings: strict),
        // The host side of resolution: recipe directories on disk, /etc/os-release, bash system checks.
        .target(
            name: "HostEnvironment",
            dependencies: ["AlienModel", "Recipes", "Resolver"],
            swiftSettings: strict),
        // Recipes → tarballs: runs recipe scripts over a plan, the TARS store, relocation.
        .target(
            name: "Builder",
            dependencies: ["AlienModel", "Recipes", "Resolver", "Tarballs", "Transport"],
            swiftSettings: strict),
        // Environments from manifests (no package code runs): shells, modulefiles, alienv verbs.
        // openat2(2) (no glibc wrapper): a package's manifest opened in one call refusing symlinks.
        .systemLibrary(name: "COpenat2", path: "Sources/COpenat2"),
        .target(name: "AreaEnvironment", dependencies: ["AlienModel", "Basics", "COpenat2"], swiftSettings: strict),
        // Site installs: the software area (atomic installs, locks, leases, gc, verify); its environment is AreaEnvironment's.
        .target(
            name: "SoftwareArea",
            dependencies: [
                "AlienModel", "AreaEnvironment", "Basics", "Forensics", "Tarballs", "Trust", "Transport", "Torrents",
                .product(name: "Crypto", package: "swift-crypto")
            ],
            swiftSettings: strict),
        // Release managers' side of TUF: key files, repository init/rotation/refresh, publishing
        // package tarballs as targets (to a directory or by HTTP PUT), undefine, listing.
        .target(
            name: "Publisher",
            dependencies: [
                "AlienModel", "Basics", "Trust", "Transport", "Torrents", "Tarballs", .product(name: "Crypto", package: "swift-crypto")
            ],
            swiftSettings: strict),
        // Serving a TUF repository directory read-only over HTTP (Hummingbird): Range, ETag, Cache-Control.
        .target(
            name: "RepositoryServer",
            dependencies: [
                "Basics",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle")
            ],
            swiftSettings: strict),
        // `doctor --site`: the site checklist (area, trust, repository, proxy, clock, packmand, torrents).
        .target(name: "SiteDoctor", dependencies: ["Basics", "SoftwareArea", "Trust", "Transport"], swiftSettings: strict),
        // packmand's wire types (requests, responses, errors) and a small client (libcurl, TCP or unix socket).
        .target(name: "PackManAPI", dependencies: ["AlienModel", "Forensics", "Transport"], swiftSettings: strict),
        // Who ran what, where: usage records, the batch system's job id, the area's append-only
        // usage log, RFC 5424 syslog copies.
        .target(name: "Forensics", dependencies: ["Basics"], swiftSettings: strict),
        // The site daemon as a library: config, GRDB state, job engine, Hummingbird API, metrics.
        .target(
            name: "PackMan",
            dependencies: [
                "PackManAPI", "Basics", "Forensics", "SoftwareArea", "AreaEnvironment", "Trust", "Transport", "AlienModel", "Torrents", "RepositoryServer",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ],
            swiftSettings: strict),
        // Use cases right below the CLI: running a job in a software area (`run --jdl`).
        .target(
            name: "Jobs",
            dependencies: ["AlienModel", "AreaEnvironment", "Basics", "Forensics", "JDL", "PackManAPI", "SoftwareArea"],
            swiftSettings: strict),
        .executableTarget(
            name: "packmand",
            dependencies: [
                "Basics", "PackMan",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "alien-install",
            dependencies: [
                "AlienModel", "Basics", "Resolver", "HostEnvironment", "Builder", "JDL", "Publisher", "Trust", "Transport",
                "Torrents", "RepositoryServer", "SoftwareArea", "AreaEnvironment", "SiteDoctor", "PackManAPI", "Forensics", "Jobs",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle")
            ],
            swiftSettings: strict),
        // `alien-install env` as a small binary: AreaEnvironment only, no ArgumentParser (starts in ~1 ms).
        .executableTarget(
            name: "alien-env", dependencies: ["AreaEnvironment"], swiftSettings: strict,
            linkerSettings: [.unsafeFlags(["-static-executable"], .when(platforms: [.linux], configuration: .release))]),
        // `make bench`: in-process resolution timing, compared with aliBuild's.
        .executableTarget(
            name: "resolver-bench",
            dependencies: ["AlienModel", "Recipes", "Resolver", "HostEnvironment"],
            path: "Benchmarks/ResolverBench",
            swiftSettings: strict),
        // scripts/bench_tarballs.sh: pack/extract timing and peak memory, compared with GNU tar.
        .executableTarget(
            name: "tarball-bench",
            dependencies: ["Tarballs"],
            path: "Benchmarks/TarballBench",
            swiftSettings: strict),
        // `make bench`: publishing 1 000 small package tarballs in one call.
        .executableTarget(
            name: "publish-bench",
            dependencies: ["Publisher", "Trust", "Tarballs"],
            path: "Benchmarks/PublishBench",
            swiftSettings: strict),
        // `make bench` (scripts/bench_transfer.sh): a 1 GiB download with Transfers (and with piece verification) vs curl -o.
        .executableTarget(
            name: "transfer-bench",
            dependencies: ["Transport", "Trust"],
            path: "Benchmarks/TransferBench",
            swiftSettings: strict),
        // `make bench`: JDL parsing throughput on a generated corpus.
        .executableTarget(
            name: "jdl-bench",
            dependencies: ["JDL"],
            path: "Benchmarks/JDLBench",
            swiftSettings: strict),
        // Fakes and fixtures shared by the unit tests (never linked into products).
        .target(
            name: "TestSupport",
            dependencies: [
                "AlienModel", "Basics", "Recipes", "Resolver", "Trust", "Tarballs", "Transport",
                .product(name: "Crypto", package: "swift-crypto")
            ],
            path: "Tests/TestSupport",
            swiftSettings: strict),
        .testTarget(name: "AlienModelTests", dependencies: ["AlienModel", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "BasicsTests", dependencies: ["Basics"], swiftSettings: strict),
        .testTarget(name: "RecipesTests", dependencies: ["Recipes", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ResolverTests", dependencies: ["Resolver", "Recipes", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "HostEnvironmentTests",
            dependencies: ["HostEnvironment", "Resolver", "Recipes", "TestSupport"],
            swiftSettings: strict),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "Trust", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "TorrentsTests", dependencies: ["Torrents", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TarballsTests", dependencies: ["Tarballs", "CArchive", "AlienModel", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .testTarget(name: "JDLTests", dependencies: ["JDL", "AlienModel", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ForensicsTests", dependencies: ["Forensics"], swiftSettings: strict),
        .testTarget(name: "TrustTests", dependencies: ["Trust", "AlienModel", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "PublisherTests",
            dependencies: [
                "Publisher", "Trust", "Transport", "Torrents", "Tarballs", "AlienModel", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto")
            ],
            swiftSettings: strict),
        // alien-env's command line, file access and host detection (the moved environment code's tests are in SoftwareAreaTests).
        .testTarget(name: "AreaEnvironmentTests", dependencies: ["AreaEnvironment", "AlienModel", "HostEnvironment"], swiftSettings: strict),
        .testTarget(
            name: "SoftwareAreaTests",
            dependencies: ["SoftwareArea", "AreaEnvironment", "Publisher", "Trust", "Transport", "Tarballs", "AlienModel", "TestSupport", "Forensics"],
            swiftSettings: strict),
        // In-process server tests, and nginx + Squid running the shipped installer/ configs.
        .testTarget(
            name: "RepositoryServerTests",
            dependencies: ["RepositoryServer", "Transport", "TestSupport", .product(name: "NIOEmbedded", package: "swift-nio")],
            swiftSettings: strict),
        .testTarget(
            name: "SiteDoctorTests",
            dependencies: ["SiteDoctor", "Trust"],
            swiftSettings: strict),
        // packmand: config, state, jobs, every endpoint through HummingbirdTesting's router mode.
        .testTarget(
            name: "PackManTests",
            dependencies: [
                "PackMan", "PackManAPI", "SoftwareArea", "Publisher", "Trust", "Transport", "TestSupport", "RepositoryServer", "Forensics",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ],
            swiftSettings: strict),
        .testTarget(
            name: "JobsTests",
            dependencies: ["Jobs", "JDL", "SoftwareArea", "AreaEnvironment", "PackManAPI", "Forensics", "AlienModel", "Transport", "Publisher", "Trust"],
            swiftSettings: strict),
        .testTarget(name: "BuilderTests", dependencies: ["Builder", "AlienModel", "Resolver", "HostEnvironment", "TestSupport"], swiftSettings: strict),
        // Differential tests against aliBuild and end-to-end CLI tests.
        .testTarget(
            name: "InteropTests",
            dependencies: ["HostEnvironment", "Resolver", "Recipes", "Builder", "Trust", "TestSupport", "Torrents", "PackManAPI", "Forensics"],
            swiftSettings: strict)
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
