public import AlienModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Package arguments as ALICE users type them for alienv: `VO_ALICE@Pkg::ver`, `Pkg::ver`,
/// `Pkg/ver`, `Pkg`, and comma-separated lists of these (`A/v1,B::v2`).
public enum EnvironmentRequest {
    public static func parse(_ arguments: [String]) throws(EnvironmentError) -> [PackageID] {
        var result: [PackageID] = []
        for argument in arguments {
            for piece in argument.split(separator: ",", omittingEmptySubsequences: true) {
                let text = Trimming.whitespace(piece)
                guard !text.isEmpty else { continue }
                do { result.append(try PackageID(parsing: text)) } catch {
                    throw .invalidPackageID(text, error)
                }
            }
        }
        guard !result.isEmpty else { throw .badPackageArgument(arguments.joined(separator: " "), reason: "no package given") }
        return result
    }
}
