import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// Signing in and out, and TOTP: `/api/v1/session`, `/api/v1/me`.
struct SessionRoutes {
    let app: PosGuard

    struct SignIn: Decodable {
        var email: String
        var password: String
        var totp: String?
    }

    struct SignedIn: Encodable {
        var token: String
        var user: User
        var expiresAt: Date
    }

    struct Code: Decodable { var totp: String }

    /// Proof of the account's secrets for changing its second factor.
    struct Secrets: Decodable {
        var password: String
        var totp: String?
    }

    struct PasswordChange: Decodable {
        var currentPassword: String
        var newPassword: String
        var totp: String?
    }

    struct Enrolment: Encodable {
        var secret: String
        var otpauthUri: String
    }

    /// Routes that need no session: signing in.
    func addPublic(to api: RouterGroup<AppRequestContext>) {
        api.post("session") { request, context in
            var request = request
            let body = try await request.decodeJSON(SignIn.self)
            let signedIn = try await app.authentication.signIn(
                email: body.email, password: body.password, totp: body.totp, source: context.source)
            return JSONResponse(
                SignedIn(token: signedIn.token, user: signedIn.user, expiresAt: signedIn.expiresAt), status: .created)
        }
    }

    func add(to api: RouterGroup<AppRequestContext>) {
        api.delete("session") { _, context in
            try await app.authentication.signOut(try context.requireCaller())
            return Response(status: .noContent)
        }
        api.post("session/totp") { request, context in
            var request = request
            let body = try await request.decodeJSON(Code.self)
            try await app.authentication.verifyTOTP(try context.requireCaller(), code: body.totp)
            return Response(status: .noContent)
        }
        api.get("me") { _, context in
            JSONResponse(try await app.users.me(try context.requireCaller()))
        }
        api.post("me/password") { request, context in
            var request = request
            let body = try await request.decodeJSON(PasswordChange.self)
            try await app.authentication.changePassword(
                try context.requireCaller(), current: body.currentPassword, new: body.newPassword, totp: body.totp)
            return Response(status: .noContent)
        }
        api.post("me/totp") { request, context in
            var request = request
            let body = try await request.decodeJSON(Secrets.self)
            let enrolment = try await app.authentication.beginTOTP(
                try context.requireCaller(), password: body.password, totp: body.totp)
            return JSONResponse(Enrolment(secret: enrolment.secret, otpauthUri: enrolment.uri), status: .created)
        }
        api.delete("me/totp") { request, context in
            var request = request
            let body = try await request.decodeJSON(Secrets.self)
            try await app.authentication.removeTOTP(
                try context.requireCaller(), password: body.password, totp: body.totp)
            return Response(status: .noContent)
        }
        api.post("me/totp/confirm") { request, context in
            var request = request
            let body = try await request.decodeJSON(Code.self)
            try await app.authentication.confirmTOTP(try context.requireCaller(), code: body.totp)
            return Response(status: .noContent)
        }
    }
}
