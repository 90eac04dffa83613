import Foundation

/// A block of addresses written in CIDR notation: `10.0.0.0/8`, `fd00::/8`, or one address alone.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    /// A network from its first address and prefix length; nil when the length does not fit the address or
    /// the address has bits set past the prefix.
    public init?(_ address: IPAddress, prefixLength: Int) {
        guard (0...address.bitWidth).contains(prefixLength), Self.hostBits(address, prefixLength) == 0 else {
            return nil
        }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Reads `address/length` (or a bare address, meaning that one address), explaining what is wrong.
    public init(cidr text: String) throws(FieldError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(canonical: String(parts[0])) else {
            throw FieldError("cidr", "\(text) is not an IPv4 or IPv6 network such as 10.0.0.0/8 or fd00::/8")
        }
        var length = address.bitWidth
        if parts.count == 2 {
            guard let number = Int(parts[1]), parts[1].allSatisfy(\.isNumber), (0...address.bitWidth).contains(number)
            else {
                throw FieldError("cidr", "\(text) needs a prefix length between 0 and \(address.bitWidth)")
            }
            length = number
        }
        guard let network = IPNetwork(address, prefixLength: length) else {
            let first = Self.first(address, length)
            throw FieldError("cidr", "\(text) has bits set past its prefix: did you mean \(first)/\(length)?")
        }
        self = network
    }

    public var description: String { "\(address)/\(prefixLength)" }

    /// Whether the address lies in this network (an IPv4 address is never in an IPv6 network, nor the reverse).
    public func contains(_ other: IPAddress) -> Bool {
        switch (address, other) {
        case (.v4(let base), .v4(let value)):
            prefixLength == 0 || base >> UInt32(32 - prefixLength) == value >> UInt32(32 - prefixLength)
        case (.v6(let base), .v6(let value)):
            prefixLength == 0 || base >> UInt128(128 - prefixLength) == value >> UInt128(128 - prefixLength)
        default: false
        }
    }

    static func hostBits(_ address: IPAddress, _ length: Int) -> UInt128 {
        switch address {
        case .v4(let value): length >= 32 ? 0 : UInt128(value) & ((UInt128(1) << UInt128(32 - length)) - 1)
        case .v6(let value): length >= 128 ? 0 : value & ((UInt128(1) << UInt128(128 - length)) - 1)
        }
    }

    static func first(_ address: IPAddress, _ length: Int) -> IPAddress {
        switch address {
        case .v4(let value): .v4(value ^ UInt32(hostBits(address, length)))
        case .v6(let value): .v6(value ^ hostBits(address, length))
        }
    }
}
