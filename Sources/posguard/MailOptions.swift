import ArgumentParser
import Foundation
import PosGuardServices

/// How `serve` reaches a mail server for alert emails. The password comes only from the environment, so it
/// never shows in a process list.
struct MailOptions: ParsableArguments {
    @Option(help: "SMTP server for alert emails (default: $POSGUARD_SMTP_HOST; none: email off).")
    var smtpHost: String = ProcessInfo.processInfo.environment["POSGUARD_SMTP_HOST"] ?? ""

    @Option(help: "SMTP port (default: $POSGUARD_SMTP_PORT or 587); STARTTLS is used whenever offered.")
    var smtpPort: Int = ProcessInfo.processInfo.environment["POSGUARD_SMTP_PORT"].flatMap(Int.init) ?? 587

    @Option(help: "SMTP user (default: $POSGUARD_SMTP_USER); the password is read from $POSGUARD_SMTP_PASSWORD.")
    var smtpUser: String = ProcessInfo.processInfo.environment["POSGUARD_SMTP_USER"] ?? ""

    @Option(help: "Sender address of alert emails (default: $POSGUARD_SMTP_FROM).")
    var smtpFrom: String = ProcessInfo.processInfo.environment["POSGUARD_SMTP_FROM"] ?? ""

    @Option(
        help: "PEM file of a private CA the mail server's certificate is signed by (default: $POSGUARD_SMTP_CA_FILE).")
    var smtpCAFile: String = ProcessInfo.processInfo.environment["POSGUARD_SMTP_CA_FILE"] ?? ""

    func validate() throws {
        if !smtpHost.isEmpty && smtpFrom.isEmpty { throw ValidationError("--smtp-from is required with --smtp-host") }
        guard (1...65535).contains(smtpPort) else { throw ValidationError("--smtp-port must be between 1 and 65535") }
    }

    var settings: SMTPSettings? {
        guard !smtpHost.isEmpty else { return nil }
        return SMTPSettings(
            host: smtpHost, port: smtpPort, username: smtpUser.isEmpty ? nil : smtpUser,
            password: ProcessInfo.processInfo.environment["POSGUARD_SMTP_PASSWORD"], from: smtpFrom,
            trustedCAFile: smtpCAFile.isEmpty ? nil : smtpCAFile)
    }
}
