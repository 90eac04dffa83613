import NIOPosix
import PosGuardDomain

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns a host name into the addresses it names. The webhook dispatcher checks every one of them and then
/// connects to one it checked, so a name cannot answer differently between the check and the connection.
public protocol HostResolver: Sendable {
    /// Every address the host resolves to; throws when it resolves to none.
    func addresses(of host: String) async throws -> [IPAddress]
}

/// The system's resolver (`getaddrinfo`: hosts file, DNS), run off the event loops.
public struct SystemHostResolver: HostResolver {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init() {}

    public func addresses(of host: String) async throws -> [IPAddress] {
        try await NIOThreadPool.singleton.runIfActive { try Self.lookUp(host) }
    }

    static func lookUp(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            throw Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        for entry in sequence(first: first, next: { $0.pointee.ai_next }) {
            guard let socketAddress = entry.pointee.ai_addr else { continue }
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                let v4 = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                addresses.append(.v4(UInt32(bigEndian: v4.s_addr)))
            case AF_INET6:
                let v6 = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                let bytes = withUnsafeBytes(of: v6) { Array($0) }
                addresses.append(.v6(bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }))
            default: continue
            }
        }
        guard !addresses.isEmpty else { throw Failure(description: "cannot resolve \(host): no address") }
        // getaddrinfo repeats an address once per socket type it could serve; keep each once, in order.
        var seen = Set<IPAddress>()
        return addresses.filter { seen.insert($0).inserted }
    }
}
