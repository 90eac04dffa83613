import Foundation
import PosGuardDomain
import PosGuardISO8583

/// The gateway's logic for one frame, apart from any socket: read the request, screen it, write the answer.
/// Authorization and financial requests (0100, 0200) are screened; a network echo (0800) is answered; a
/// frame that cannot be read is answered with field 39 `30` (format error) when its MTI can be read, and
/// otherwise has no answer (the connection is closed).
public struct ISOScreeningResponder: Sendable {
    let codec = ISOCodec()
    /// Screens a request and records a decline: the screening desk in the server, a stub in tests.
    let screen: @Sendable (ScreeningRequest, _ pan: String?) -> ScreeningDecision
    let now: @Sendable () -> Date

    public init(
        screen: @escaping @Sendable (ScreeningRequest, String?) -> ScreeningDecision,
        now: @escaping @Sendable () -> Date
    ) {
        self.screen = screen
        self.now = now
    }

    /// What to do with a frame: answer it, relay it upstream (an approved request, when forwarding), or close.
    public enum Outcome: Equatable, Sendable {
        case answer([UInt8])
        case forward
        case close
    }

    /// The answer to a frame, or nil when the frame is beyond answering.
    public func answer(_ frame: [UInt8]) -> [UInt8]? {
        switch outcome(frame, forwarding: false) {
        case .answer(let bytes): bytes
        case .forward, .close: nil
        }
    }

    /// Decides a frame's fate; with `forwarding`, an approved request is to be relayed rather than answered.
    public func outcome(_ frame: [UInt8], forwarding: Bool) -> Outcome {
        guard let answer = respond(frame, forwarding: forwarding) else { return .close }
        return answer
    }

    /// The answer `91` (issuer or switch inoperative) to a request that could not be relayed.
    public func upstreamUnavailable(_ frame: [UInt8]) -> [UInt8]? {
        guard let request = try? codec.decode(frame), let mti = request.responseMTI else { return nil }
        var response = ISOMessage(mti: mti, fields: [39: "91"])
        for field in [11, 37, 41, 42] { response[field] = request[field] }
        return try? codec.encode(response)
    }

    private func respond(_ frame: [UInt8], forwarding: Bool) -> Outcome? {
        let request: ISOMessage
        do {
            request = try codec.decode(frame)
        } catch {
            guard frame.count >= 4, let mti = String(bytes: frame.prefix(4), encoding: .ascii),
                let responseMTI = ISOMessage(mti: mti).responseMTI, mti.allSatisfy(\.isASCIIDigit),
                let bytes = try? codec.encode(ISOMessage(mti: responseMTI, fields: [39: "30"]))
            else { return nil }
            return .answer(bytes)
        }
        guard let responseMTI = request.responseMTI else { return nil }
        var response = ISOMessage(mti: responseMTI)
        for field in [11, 37, 41, 42] { response[field] = request[field] }
        switch request.mti {
        case "0100", "0200":
            guard let tid = request[41], let mid = request[42] else {
                response[39] = "30"
                break
            }
            let amount = request[4].flatMap { Int64($0) } ?? 0
            let decision = screen(
                ScreeningRequest(
                    tid: tid.trimmingCharacters(in: .whitespaces), mid: mid.trimmingCharacters(in: .whitespaces),
                    amountMinor: amount, currency: request[49] ?? "000", at: now()),
                request[2])
            if decision.approve && forwarding { return .forward }
            response[39] = decision.responseCode
        case "0800":
            response[7] = request[7]
            response[70] = request[70]
            response[39] = "00"
        default:
            response[39] = "30"
        }
        return (try? codec.encode(response)).map(Outcome.answer)
    }
}
