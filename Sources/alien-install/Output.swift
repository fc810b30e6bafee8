import AreaEnvironment
import ArgumentParser
import Foundation
import Jobs

/// The program's one output sink: results to stdout, diagnostics to stderr. A failure becomes
/// output and an exit status in one place: `AlienInstall.main` hands every error a command's
/// run throws to `exitError(for:)`.
enum Output {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func write(bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func warn(_ text: String) {
        FileHandle.standardError.write(Data("alien-install: warning: \(text)\n".utf8))
    }

    /// Prints an error line without ending the program (one of several failures).
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("alien-install: error: \(message)\n".utf8))
    }

    /// Prints the message and returns the exit code to throw.
    static func fail(_ message: String, code: Int32 = 1) -> ExitCode {
        FileHandle.standardError.write(Data("alien-install: error: \(message)\n".utf8))
        return ExitCode(code)
    }

    /// An error as it describes itself, plus what the user can do about it where the CLI knows
    /// (the options that help: `ErrorAdvice`).
    static func describe(_ error: any Error) -> String {
        ErrorAdvice.describe(error) ?? String(describing: error)
    }

    /// What `main` hands to ArgumentParser for an error a command's run threw: its own errors as
    /// they are (it prints usage errors and help; whoever threw an `ExitCode` printed its
    /// message). alien-env's failures keep their status (a usage error: 64, through
    /// ArgumentParser). Any other error is printed once, as `describe` words it, and the status is 1.
    static func exitError(for error: any Error) -> any Error {
        switch error {
        case _ where isArgumentParsers(error): error
        case let failure as EnvironmentCommandLine.Failure:
            failure.isUsage ? ValidationError(failure.message) : fail(failure.message, code: failure.status)
        // A job's status says why (127: its command not found, 126: cannot run it).
        case let failure as JobError: fail(describe(failure), code: failure.exitStatus)
        default: fail(describe(error))
        }
    }

    /// `ExitCode`, `CleanExit`, `ValidationError`, and the parser's internal errors (a command
    /// group run without a subcommand asks for its help that way).
    static func isArgumentParsers(_ error: any Error) -> Bool {
        error is ExitCode || error is CleanExit || error is ValidationError
            || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }
}
