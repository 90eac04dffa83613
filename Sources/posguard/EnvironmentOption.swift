import ArgumentParser
import Foundation

/// An option's value when given, else its environment variable's, which must then read as a `T`: a typo in
/// the environment is an error that names the variable, never silently the default.
func optionOrEnvironment<T: LosslessStringConvertible>(_ option: T?, _ name: String, _ variable: String) throws -> T? {
    if let option { return option }
    guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return nil }
    guard let parsed = T(text.trimmingCharacters(in: .whitespaces)) else {
        throw ValidationError("$\(variable) (for --\(name)) must be a number, got '\(text)'")
    }
    return parsed
}
