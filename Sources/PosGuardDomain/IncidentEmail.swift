import Foundation

/// The email store managers and the merchant's security contact receive when an incident opens, in their
/// language (English or Simplified Chinese).
public enum IncidentEmail {
    public static func compose(
        _ incident: Incident, terminals: [Terminal], storeName: String, timeZone: TimeZone, locale: User.Locale
    ) -> AlertEmail.Message {
        let formatter = DateFormatter()
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm zzz"
        let when = formatter.string(from: incident.discoveredAt)
        let tids = terminals.map { "\($0.tid) (\($0.make) \($0.model), serial \($0.serial))" }
            .joined(separator: ", ")
        switch locale {
        case .en:
            return AlertEmail.Message(
                subject: "[PosGuard] Incident opened: \(incident.type.rawValue) at \(storeName)",
                body: """
                    An incident was opened for your store \(storeName).

                    Type:        \(incident.type.rawValue)
                    Discovered:  \(when)
                    Terminals:   \(tids)
                    Reported by: \(incident.reporter)
                    Description: \(incident.description)

                    The terminals were taken out of service and payments on them are declined. The response plan
                    and its tasks are in PosGuard under incident \(incident.id.uuidString).
                    """)
        case .zhHans:
            return AlertEmail.Message(
                subject: "[PosGuard] 已立案：\(storeName) \(incident.type.rawValue)",
                body: """
                    您的门店 \(storeName) 已创建一个事件。

                    类型：\(incident.type.rawValue)
                    发现时间：\(when)
                    终端：\(tids)
                    报告人：\(incident.reporter)
                    描述：\(incident.description)

                    相关终端已停止服务，其交易将被拒绝。处置计划及任务见 PosGuard 事件 \(incident.id.uuidString)。
                    """)
        }
    }
}
