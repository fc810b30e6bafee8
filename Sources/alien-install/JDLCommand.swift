import ArgumentParser
import Foundation
import JDL

struct JDLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jdl",
        abstract: "Check job descriptions (JDL) before they are submitted.",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse a JDL, substitute $1..$n, check its Packages and print the composed Requirements.",
            discussion: """
                With --syntax-only (for now the only mode: checking packages against a signed \
                repository comes with it) the JDL is parsed, $1..$n are replaced by ARGS, the \
                Packages are checked for form, duplicates and two versions of one package, and \
                the Requirements AliEn would compose are printed. Errors show the line with a \
                caret. Exit status: 0 all well, 1 a problem in the JDL.
                """)

        @Argument(help: "The JDL file.")
        var file: String

        @Argument(help: "Values for $1, $2, ...")
        var arguments: [String] = []

        @Flag(name: .long, help: "Check the JDL without a repository.")
        var syntaxOnly = false

        @Option(name: .long, help: "Owner for packages written without one.")
        var defaultOwner = "VO_ALICE"

        @Flag(name: .long, help: "Print the parsed JDL, packages and requirements as JSON.")
        var json = false

        func validate() throws {
            guard syntaxOnly else {
                throw ValidationError("checking packages against a repository needs signed repositories, which are not there yet: use --syntax-only")
            }
        }

        func run() throws {
            let text = try Output.run {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: file])
                }
                return String(decoding: data, as: UTF8.self)
            }
            let check = try Output.run {
                do throws(JDLError) { return try JDLCheck(text: text, arguments: arguments, defaultOwner: defaultOwner) } catch {
                    throw JDLFileError(file: file, error: error)
                }
            }
            if json {
                Output.write(check.json + "\n")
            } else {
                for warning in check.warnings { Output.warn("\(file): \(warning)") }
                for problem in check.problems { Output.write("✗ \(file): \(problem)\n") }
                Output.write("Packages: \(check.packages.uniqueQualified.joined(separator: ", "))\n")
                Output.write("Requirements = \(check.requirements);\n")
                if check.succeeded { Output.write("✓ \(file): syntax and packages are well formed\n") }
            }
            if !check.succeeded { throw ExitCode(1) }
        }
    }
}

/// A JDL error with the file it is in.
struct JDLFileError: Error, CustomStringConvertible {
    let file: String
    let error: JDLError
    var description: String { "\(file):\(error)" }
}
