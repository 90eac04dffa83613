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
    /// The client's network address as the audit log and the sign-in throttle know it: the peer's, or, behind
    /// a trusted proxy, the one `ClientAddressMiddleware` read from `X-Forwarded-For`.
    var source: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        self.source = remoteAddress?.ipAddress
    }

    public var requestDecoder: JSONDecoder { APIJSON.decoder }
    public var responseEncoder: JSONEncoder { APIJSON.encoder }

    func requireCaller() throws -> Caller {
        guard let caller else { throw ServiceError.unauthenticated("sign in first") }
        return caller
    }
}
