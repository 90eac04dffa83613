import Foundation
import PosGuardDomain

/// Failed sign-ins per account and per source address, kept in memory by this instance.
public actor LoginAttempts {
    private var accounts: [String: LoginThrottle] = [:]
    private var addresses: [String: LoginThrottle] = [:]

    public init() {}

    /// Seconds to wait before this account may try again from this address; 0 when it may try now.
    public func wait(account: String, address: String?, at now: Date) -> TimeInterval {
        let byAccount = accounts[account]?.wait(at: now, limits: .account) ?? 0
        let byAddress = address.flatMap { addresses[$0] }?.wait(at: now, limits: .address) ?? 0
        return max(byAccount, byAddress)
    }

    public func recordFailure(account: String, address: String?, at now: Date) {
        accounts[account, default: LoginThrottle()].recordFailure(at: now, limits: .account)
        if let address { addresses[address, default: LoginThrottle()].recordFailure(at: now, limits: .address) }
        if accounts.count + addresses.count > 10_000 {
            accounts = accounts.filter { !$0.value.isStale(at: now, limits: .account) }
            addresses = addresses.filter { !$0.value.isStale(at: now, limits: .address) }
        }
    }

    /// A correct password clears the account's record (the address keeps its own).
    public func recordSuccess(account: String) {
        accounts[account] = nil
    }
}
