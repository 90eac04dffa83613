import Crypto
import Foundation

extension SecretBox {
    /// An instance's word on what it adds to an agent's request it sends on to another instance (the address
    /// the request came from): an HMAC-SHA256 under a key derived from the master key, which only instances
    /// sharing that key hold. Base64.
    public func forwardingSeal(_ statement: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(statement.utf8), using: forwardingKey)).base64EncodedString()
    }

    /// Whether `seal` is `forwardingSeal(statement)`, compared in constant time.
    public func isForwardingSeal(_ seal: String, of statement: String) -> Bool {
        guard let code = Data(base64Encoded: seal) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Data(statement.utf8), using: forwardingKey)
    }

    private var forwardingKey: SymmetricKey { derivedKey("posguard forwarded request v1") }
}
