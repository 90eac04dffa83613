import Foundation
import Hummingbird
import NIOCore
import PosGuardServices

/// Per-request state: who is calling, from where.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// Set by `CallerAuthenticator` on every authenticated route.
    public var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    public var requestDecoder: JSONDecoder { APIJSON.decoder }
    public var responseEncoder: JSONEncoder { APIJSON.encoder }

    /// The network address as the audit log records it.
    var source: String? { remoteAddress?.ipAddress }

    func requireCaller() throws -> Caller {
        guard let caller else { throw ServiceError.unauthenticated("sign in first") }
        return caller
    }
}
