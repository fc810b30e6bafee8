import AlienModel
import Foundation
import Testing

@Suite struct ArchitectureTests {
    @Test(arguments: [
        ("slc9_x86-64", "slc9", "x86-64"),
        ("slc7_x86-64", "slc7", "x86-64"),
        ("slc9_aarch64", "slc9", "aarch64"),
        ("ubuntu2204_x86-64", "ubuntu2204", "x86-64"),
        ("osx_arm64", "osx", "arm64"),
        ("osx_x86-64", "osx", "x86-64"),
        ("fedora40_x86-64", "fedora40", "x86-64"),
        ("debian12_x86-64", "debian12", "x86-64"),
        ("slc10_x86-64", "slc10", "x86-64"),
        ("a_b", "a", "b"),
        ("slc9_x86-64-v3", "slc9", "x86-64-v3")
    ])
    func parsesValid(_ text: String, _ platform: String, _ cpu: String) throws {
        let arch = try Architecture(text)
        #expect(arch.rawValue == text)
        #expect(arch.description == text)
        #expect(arch.platform == platform)
        #expect(arch.cpu == cpu)
    }

    @Test(arguments: [
        ("slc9x86-64", "no '_' between platform and cpu"),
        ("", "no '_' between platform and cpu"),
        ("_x86-64", "the platform must start with a lower-case letter"),
        ("9slc_x86-64", "the platform must start with a lower-case letter"),
        ("SLC9_x86-64", "the platform must start with a lower-case letter"),
        ("sLC9_x86-64", "the platform may hold only lower-case letters and digits"),
        ("slc-9_x86-64", "the platform may hold only lower-case letters and digits"),
        ("slc9.4_x86-64", "the platform may hold only lower-case letters and digits"),
        ("slc9_", "the cpu part may hold only"),
        ("slc9_x86_64", "x86_64 is spelt x86-64"),
        ("slc9_X86-64", "the cpu part may hold only"),
        ("slc9_x86-64\n", "the cpu part may hold only"),
        ("slc9_x86 64", "the cpu part may hold only")
    ])
    func refusesInvalid(_ text: String, _ reasonFragment: String) {
        #expect {
            try Architecture(text)
        } throws: { error in
            guard let error = error as? ModelError, case let .invalidArchitecture(input, reason) = error else { return false }
            return input == text && reason.contains(reasonFragment)
                && error.description.hasPrefix("invalid architecture \"\(text)\": ")
                && error.description.hasSuffix("(expected <distro><major>_<cpu>, e.g. slc9_x86-64)")
        }
    }

    // MARK: isBuildable against aliBuild's args.py pattern

    static let aliBuildPattern = try! NSRegularExpression(
        pattern: "^slc([5-9]|[1-9][0-9])_(x86-64|ppc64|aarch64)$|^(ubuntu|ubt|osx|fedora)[0-9]*_(x86-64|arm64)$")

    static func aliBuildAccepts(_ text: String) -> Bool {
        aliBuildPattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Every combination of these platforms and cpus is a syntactically valid architecture.
    static let platforms = [
        "slc4", "slc5", "slc6", "slc7", "slc8", "slc9", "slc10", "slc19", "slc99", "slc100", "slc", "slcx",
        "ubuntu", "ubuntu2004", "ubuntu2404", "ubuntux", "ubt", "ubt14", "osx", "osx14", "fedora", "fedora40",
        "debian12", "centos7", "rhel9", "alma9", "sl9", "ubuntu24a", "osxx"
    ]
    static let cpus = ["x86-64", "ppc64", "aarch64", "arm64", "x86", "i686", "x86-64-v3", "arm"]

    static let candidates: [String] = platforms.flatMap { p in cpus.map { "\(p)_\($0)" } }

    @Test func agreesWithAliBuildsPatternOnEveryCombination() throws {
        var disagreements: [String] = []
        for text in Self.candidates {
            let arch = try Architecture(text)
            if arch.isBuildable != Self.aliBuildAccepts(text) {
                disagreements.append("\(text): isBuildable=\(arch.isBuildable), aliBuild=\(Self.aliBuildAccepts(text))")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements)")
        // Sanity: the set holds both answers.
        #expect(Self.candidates.contains(where: Self.aliBuildAccepts))
        #expect(Self.candidates.contains(where: { !Self.aliBuildAccepts($0) }))
    }

    @Test(arguments: [
        ("slc9_x86-64", true), ("slc5_x86-64", true), ("slc10_x86-64", true), ("slc9_aarch64", true), ("slc8_ppc64", true),
        ("slc4_x86-64", false), ("slc100_x86-64", false), ("slc9_arm64", false),
        ("ubuntu2204_x86-64", true), ("ubuntu2404_arm64", true), ("ubuntu_x86-64", true), ("ubuntu2204_aarch64", false),
        ("ubt14_x86-64", true), ("osx_arm64", true), ("osx_x86-64", true), ("fedora40_x86-64", true), ("fedora40_aarch64", false),
        ("debian12_x86-64", false), ("centos7_x86-64", false), ("ubuntux_x86-64", false)
    ])
    func isBuildable(_ text: String, _ expected: Bool) throws {
        #expect(try Architecture(text).isBuildable == expected)
        #expect(Self.aliBuildAccepts(text) == expected)
    }

    @Test(arguments: ["slc05_x86-64", "slc09_aarch64"])
    func leadingZeroMajorIsNotBuildable(_ text: String) throws {
        #expect(Self.aliBuildAccepts(text) == false)
        #expect(try Architecture(text).isBuildable == false)
    }

    @Test func remoteStoreArchitectures() throws {
        #expect(
            Architecture.remoteStoreArchitectures == [
                "slc7_x86-64", "slc8_x86-64", "slc9_x86-64", "slc10_x86-64", "slc9_aarch64",
                "ubuntu2004_x86-64", "ubuntu2204_x86-64", "ubuntu2404_x86-64"
            ])
        for text in Architecture.remoteStoreArchitectures {
            #expect(try Architecture(text).isBuildable, "\(text)")
        }
    }

    @Test func comparableHashableCodable() throws {
        let archs = try ["ubuntu2204_x86-64", "slc9_x86-64", "osx_arm64"].map { try Architecture($0) }
        #expect(archs.sorted().map(\.rawValue) == ["osx_arm64", "slc9_x86-64", "ubuntu2204_x86-64"])
        #expect(Set(archs + [try Architecture("slc9_x86-64")]).count == 3)
        let data = try JSONEncoder().encode(archs)
        #expect(String(decoding: data, as: UTF8.self) == #"["ubuntu2204_x86-64","slc9_x86-64","osx_arm64"]"#)
        let decoded = try JSONDecoder().decode([Architecture].self, from: data)
        #expect(decoded == archs)
        #expect(decoded.map(\.platform) == ["ubuntu2204", "slc9", "osx"])
        #expect(decoded.map(\.cpu) == ["x86-64", "x86-64", "arm64"])
        #expect(throws: ModelError.self) {
            try JSONDecoder().decode([Architecture].self, from: Data(#"["slc9_x86_64"]"#.utf8))
        }
    }

    // MARK: detect(osRelease:system:machine:)

    static let ubuntu2204 = """
        PRETTY_NAME="Ubuntu 22.04.4 LTS"
        NAME="Ubuntu"
        VERSION_ID="22.04"
        VERSION="22.04.4 LTS (Jammy Jellyfish)"
        VERSION_CODENAME=jammy
        ID=ubuntu
        ID_LIKE=debian
        HOME_URL="https://www.ubuntu.com/"
        UBUNTU_CODENAME=jammy
        """
    static let ubuntu2404Point = """
        NAME="Ubuntu"
        VERSION_ID="24.04.1"
        ID=ubuntu
        """
    static let debian11 = """
        PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"
        NAME="Debian GNU/Linux"
        VERSION_ID="11"
        VERSION="11 (bullseye)"
        VERSION_CODENAME=bullseye
        ID=debian
        HOME_URL="https://www.debian.org/"
        """
    static let debian12 = """
        PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
        NAME="Debian GNU/Linux"
        VERSION_ID="12"
        VERSION="12 (bookworm)"
        VERSION_CODENAME=bookworm
        ID=debian
        """
    static let debian7 = "ID=debian\nVERSION_ID=\"7\"\n"
    static let alma94 = """
        NAME="AlmaLinux"
        VERSION="9.4 (Seafoam Ocelot)"
        ID="almalinux"
        ID_LIKE="rhel centos fedora"
        VERSION_ID="9.4"
        PLATFORM_ID="platform:el9"
        PRETTY_NAME="AlmaLinux 9.4 (Seafoam Ocelot)"
        """
    static let rocky8 = """
        NAME="Rocky Linux"
        VERSION="8.9 (Green Obsidian)"
        ID="rocky"
        ID_LIKE="rhel centos fedora"
        VERSION_ID="8.9"
        PLATFORM_ID="platform:el8"
        """
    static let centos7 = """
        NAME="CentOS Linux"
        VERSION="7 (Core)"
        ID="centos"
        ID_LIKE="rhel fedora"
        VERSION_ID="7"
        PRETTY_NAME="CentOS Linux 7 (Core)"
        CENTOS_MANTISBT_PROJECT_VERSION="7"
        """
    static let rhel9 = """
        NAME="Red Hat Enterprise Linux"
        VERSION="9.4 (Plow)"
        ID="rhel"
        ID_LIKE="fedora"
        VERSION_ID="9.4"
        PLATFORM_ID="platform:el9"
        REDHAT_SUPPORT_PRODUCT_VERSION="9.4"
        """
    static let fedora40 = """
        NAME="Fedora Linux"
        VERSION="40 (Workstation Edition)"
        ID=fedora
        VERSION_ID=40
        VERSION_CODENAME=""
        PLATFORM_ID="platform:f40"
        """

    @Test(arguments: [
        (ubuntu2204, "x86_64", "ubuntu2204_x86-64"),
        (ubuntu2204, "aarch64", "ubuntu2204_aarch64"),
        (ubuntu2404Point, "x86_64", "ubuntu2404_x86-64"),
        (debian11, "x86_64", "ubuntu2004_x86-64"),
        (debian12, "x86_64", "debian12_x86-64"),
        (debian7, "x86_64", "ubuntu1204_x86-64"),
        (alma94, "x86_64", "slc9_x86-64"),
        (alma94, "aarch64", "slc9_aarch64"),
        (rocky8, "x86_64", "slc8_x86-64"),
        (centos7, "x86_64", "slc7_x86-64"),
        (rhel9, "x86_64", "slc9_x86-64"),
        (fedora40, "x86_64", "fedora40_x86-64"),
        (fedora40, "aarch64", "fedora40_aarch64")
    ])
    func detectsLinux(_ osRelease: String, _ machine: String, _ expected: String) throws {
        #expect(Architecture.detect(osRelease: osRelease, system: "Linux", machine: machine) == (try Architecture(expected)))
    }

    @Test(
        arguments: [
            // Quoting styles: none, double, single, and trailing blanks.
            ("ID=ubuntu\nVERSION_ID=22.04\n", "ubuntu2204_x86-64"),
            ("ID=\"ubuntu\"\nVERSION_ID=\"22.04\"\n", "ubuntu2204_x86-64"),
            ("ID='ubuntu'\nVERSION_ID='22.04'\n", "ubuntu2204_x86-64"),
            ("ID=ubuntu \nVERSION_ID=\"22.04\" \n", "ubuntu2204_x86-64"),
            ("ID=\"AlmaLinux\"\nVERSION_ID=9.4", "slc9_x86-64"),
            ("ID=centos\nVERSION_ID=\"8\"", "slc8_x86-64"),
            ("ID=redhat\nVERSION_ID=7.9", "slc7_x86-64"),
            ("ID=opensuse-leap\nVERSION_ID=\"15.5\"", nil),  // '-' is not allowed in a platform
            ("ID=arch\n", "arch_x86-64"),
            ("ID=ubuntu\nVERSION_ID=\"22.04\"\nID=debian\nVERSION_ID=\"12\"\n", "debian12_x86-64"),  // last one wins
            ("# comment\n\nNAME=Ubuntu\nVERSION_ID=\"20.04\"\nID=ubuntu\nUBUNTU_CODENAME=focal", "ubuntu2004_x86-64")
        ] as [(String, String?)])
    func detectsQuotedAndUnquotedValues(_ osRelease: String, _ expected: String?) throws {
        let detected = Architecture.detect(osRelease: osRelease, system: "Linux", machine: "x86_64")
        #expect(detected?.rawValue == expected)
    }

    @Test func keysMustMatchExactly() {
        // VERSION_ID and ID are matched as whole keys: ID_LIKE / VARIANT_ID never count.
        let text = "ID_LIKE=rhel\nVARIANT_ID=server\nID=fedora\nVERSION_ID=39\nPLATFORM_ID=platform:f39"
        #expect(Architecture.detect(osRelease: text, system: "Linux", machine: "x86_64")?.rawValue == "fedora39_x86-64")
    }

    @Test func unknownSystemGivesNil() {
        #expect(Architecture.detect(osRelease: "", system: "Linux", machine: "x86_64") == nil)
        #expect(Architecture.detect(osRelease: "NAME=Something\n", system: "Linux", machine: "x86_64") == nil)
    }

    @Test(arguments: [
        ("x86_64", "osx_x86-64"),
        ("arm64", "osx_arm64"),
        ("aarch64", "osx_arm64")
    ])
    func detectsDarwinIgnoringOSRelease(_ machine: String, _ expected: String) {
        #expect(Architecture.detect(osRelease: Self.ubuntu2204, system: "Darwin", machine: machine)?.rawValue == expected)
        #expect(Architecture.detect(osRelease: "", system: "Darwin", machine: machine)?.rawValue == expected)
    }
}
