import Foundation

/// The email a person receives about a new alert, in their language (English or Simplified Chinese).
public enum AlertEmail {
    public struct Message: Sendable, Equatable {
        public var subject: String
        public var body: String
    }

    public struct Facts: Sendable {
        public var alert: Alert
        public var terminal: Terminal
        public var storeName: String
        public var timeZone: TimeZone

        public init(alert: Alert, terminal: Terminal, storeName: String, timeZone: TimeZone) {
            self.alert = alert
            self.terminal = terminal
            self.storeName = storeName
            self.timeZone = timeZone
        }
    }

    public static func compose(_ f: Facts, locale: User.Locale) -> Message {
        let formatter = DateFormatter()
        formatter.timeZone = f.timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm zzz"
        let when = formatter.string(from: f.alert.firstAt)
        let t = f.terminal
        switch locale {
        case .en:
            let severity = f.alert.severity == .critical ? "CRITICAL" : "Warning"
            return Message(
                subject:
                    "[PosGuard] \(severity): \(english[f.alert.rule] ?? f.alert.rule.rawValue) — terminal \(t.tid) at \(f.storeName)",
                body: """
                    PosGuard raised an alert about one of your payment terminals.

                    What:      \(english[f.alert.rule] ?? f.alert.rule.rawValue) (\(f.alert.severity.rawValue))
                    Details:   \(f.alert.message)
                    When:      \(when)
                    Terminal:  \(t.make) \(t.model), serial \(t.serial), TID \(t.tid)
                    Store:     \(f.storeName)
                    State:     \(t.state.rawValue)

                    \(f.alert.severity == .critical ? "Check the terminal now. If it is missing, report it stolen in PosGuard." : "Check the terminal when you can.")
                    Alert id: \(f.alert.id.uuidString)
                    """)
        case .zhHans:
            let severity = f.alert.severity == .critical ? "严重" : "警告"
            return Message(
                subject:
                    "[PosGuard] \(severity)：\(chinese[f.alert.rule] ?? f.alert.rule.rawValue) — \(f.storeName) 的终端 \(t.tid)",
                body: """
                    PosGuard 就您的一台支付终端发出了警报。

                    类型：    \(chinese[f.alert.rule] ?? f.alert.rule.rawValue)（\(severity)）
                    详情：    \(f.alert.message)
                    时间：    \(when)
                    终端：    \(t.make) \(t.model)，序列号 \(t.serial)，终端号 \(t.tid)
                    门店：    \(f.storeName)
                    状态：    \(t.state.rawValue)

                    \(f.alert.severity == .critical ? "请立即检查该终端。如已丢失，请在 PosGuard 中报告被盗。" : "请尽快检查该终端。")
                    警报编号：\(f.alert.id.uuidString)
                    """)
        }
    }

    static let english: [RuleID: String] = [
        .geofenceBreach: "Terminal left the store", .impossibleTravel: "Impossible travel",
        .offline: "Terminal offline",
        .missing: "Terminal missing", .tamper: "Tamper detected", .simSwap: "SIM card swapped",
        .powerOffAfterHours: "Powered off after hours away from the store",
        .afterHoursUse: "Used outside business hours",
        .failedLoginBurst: "Repeated failed sign-ins", .unknownOperator: "Unknown operator signed in",
        .refundBurst: "Burst of refunds", .refundLimit: "Refunds over the limit",
        .eventGap: "Events lost on the device", .stolenTerminalUsed: "Payment attempted from a stolen terminal",
        .clockSkew: "Terminal clock not believed", .locationSpoofing: "Forged position",
        .vagueLocation: "Position no longer verifiable",
        .simRemoved: "SIM card removed", .networkBlackout: "Long network blackout",
        .silentOffPremises: "Silent after leaving the store",
    ]

    static let chinese: [RuleID: String] = [
        .geofenceBreach: "终端离开门店", .impossibleTravel: "不可能的移动速度", .offline: "终端离线", .missing: "终端失联",
        .tamper: "检测到拆机", .simSwap: "SIM 卡被更换", .powerOffAfterHours: "非营业时间在店外关机",
        .afterHoursUse: "非营业时间使用", .failedLoginBurst: "多次登录失败", .unknownOperator: "未知操作员登录",
        .refundBurst: "短时间内多笔退款", .refundLimit: "退款总额超出限额", .eventGap: "设备上的事件丢失",
        .stolenTerminalUsed: "被盗终端尝试交易", .clockSkew: "终端时钟不可信", .locationSpoofing: "位置被伪造", .vagueLocation: "位置无法核实",
        .simRemoved: "SIM 卡被拔出", .networkBlackout: "长时间断网", .silentOffPremises: "离开门店后失联",
    ]
}
