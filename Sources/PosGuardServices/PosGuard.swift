import Foundation
import PosGuardStorage

/// Every service of one PosGuard instance, wired to one database.
public struct PosGuard: Sendable {
    public let runtime: Runtime
    public let hasher: PasswordHasher
    public let authentication: Authentication
    public let merchants: MerchantDirectory
    public let stores: StoreDirectory
    public let users: UserDirectory
    public let terminals: TerminalRegistry
    public let auditLog: AuditLog

    public init(runtime: Runtime, hasher: PasswordHasher = PasswordHasher()) {
        self.runtime = runtime
        self.hasher = hasher
        authentication = Authentication(runtime: runtime, hasher: hasher)
        merchants = MerchantDirectory(runtime: runtime)
        stores = StoreDirectory(runtime: runtime)
        users = UserDirectory(runtime: runtime, hasher: hasher)
        terminals = TerminalRegistry(runtime: runtime)
        auditLog = AuditLog(runtime: runtime)
    }
}
