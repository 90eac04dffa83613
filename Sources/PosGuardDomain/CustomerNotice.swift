import Foundation

/// The notice a customer whose card was used on a stolen terminal receives from the merchant, in English and
/// Simplified Chinese in one message (the merchant does not know the customer's language). It names the card
/// only by its masked form and the payments by time and amount, and tells the customer what to do.
public enum CustomerNotice {
    public static func compose(
        _ incident: Incident, customer: IncidentImpact.Customer, payments: [IncidentImpact.Payment],
        storeName: String, timeZone: TimeZone
    ) -> AlertEmail.Message {
        let formatter = DateFormatter()
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm zzz"
        let lines = payments.filter { $0.card == customer.card }.map {
            "  \(formatter.string(from: $0.at))  \(amount($0.amountMinor, $0.currency))  \($0.result)"
        }.joined(separator: "\n")
        let greeting = customer.name.map { "Dear \($0)," } ?? "Dear customer,"
        let greetingZh = customer.name.map { "尊敬的\($0)：" } ?? "尊敬的客户："
        return AlertEmail.Message(
            subject: "[\(storeName)] Your card ending \(customer.card.suffix(4)) / 您尾号 \(customer.card.suffix(4)) 的银行卡",
            body: """
                \(greeting)

                A payment terminal of \(storeName) was stolen (reference \(incident.id.uuidString)). Your card \
                \(customer.card) was used on it, or presented to it, after the theft may have happened:

                \(lines)

                Please check your card statement, and contact your bank to dispute any payment you do not \
                recognise or to replace the card. We will never ask you for your card number, PIN or security code.

                ---

                \(greetingZh)

                \(storeName) 的一台支付终端被盗（编号 \(incident.id.uuidString)）。在可能的被盗时间之后，您的银行卡 \
                \(customer.card) 曾在该终端上使用或出示：

                \(lines)

                请核对您的账单；如有不认识的交易，请联系发卡银行提出争议或更换银行卡。我们绝不会向您索取卡号、密码或安全码。
                """)
    }

    /// An amount in minor units as people read it: `12.34 EUR` (two decimals; currencies without minor units
    /// are rare at a shop counter and read the same way).
    public static func amount(_ minor: Int64, _ currency: String) -> String {
        let sign = minor < 0 ? "-" : ""
        let value = minor.magnitude
        let cents = value % 100
        return "\(sign)\(value / 100).\(cents < 10 ? "0" : "")\(cents) \(currency)"
    }
}
