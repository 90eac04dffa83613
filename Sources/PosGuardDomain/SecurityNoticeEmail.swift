import Foundation

/// The email a user receives when the way they sign in changes, so that a change they did not make is
/// noticed by the one person who can tell. In their language (English or Simplified Chinese).
public enum SecurityNoticeEmail {
    public enum Change: Sendable, Equatable {
        case totpEnabled
        case totpReplaced
        case totpRemoved
        case passwordChanged
    }

    public static func compose(
        _ change: Change, account: String, at date: Date, source: String?, locale: User.Locale
    ) -> AlertEmail.Message {
        let when = RFC3339.format(date)
        let from = source ?? "—"
        switch locale {
        case .en:
            let what =
                switch change {
                case .totpEnabled: "Two-step sign-in (TOTP) was turned on"
                case .totpReplaced: "Your authenticator (TOTP) was replaced by a new one"
                case .totpRemoved: "Two-step sign-in (TOTP) was turned off"
                case .passwordChanged: "The password was changed"
                }
            return AlertEmail.Message(
                subject: "[PosGuard] \(what) for \(account)",
                body: """
                    \(what) for your PosGuard account \(account).

                    When:  \(when) (UTC)
                    From:  \(from)

                    Your other sessions were signed out. If you did not make this change, tell your administrator
                    now: someone may know your password.
                    """)
        case .zhHans:
            let what =
                switch change {
                case .totpEnabled: "已开启两步登录（TOTP）"
                case .totpReplaced: "您的身份验证器（TOTP）已被替换"
                case .totpRemoved: "已关闭两步登录（TOTP）"
                case .passwordChanged: "密码已更改"
                }
            return AlertEmail.Message(
                subject: "[PosGuard] 账户 \(account)：\(what)",
                body: """
                    您的 PosGuard 账户 \(account)\(what)。

                    时间：\(when)（UTC）
                    来源：\(from)

                    您的其他会话已被注销。如果这不是您本人的操作，请立即告知管理员：可能有人知道了您的密码。
                    """)
        }
    }
}
