import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// An incident's evidence in the console: the list with downloads, and the upload form (a plain multipart form;
/// with a script, the page shows the upload's progress).
struct ConsoleEvidence {
    let routes: ConsoleRoutes

    func add(to router: Router<AppRequestContext>) {
        router.post("/incidents/{id}/evidence") { request, context in
            let console = await ConsoleRequest.make(
                request, context: context, app: routes.app, settings: routes.settings)
            do {
                guard let caller = console.caller else { throw ServiceError.unauthenticated("sign in first") }
                let id = try console.id("incident")
                guard let boundary = MultipartFormReader.boundary(of: request.headers[.contentType]) else {
                    throw ValidationFailure([FieldError("file", "send the form as multipart/form-data")])
                }
                if let length = request.headers[.contentLength].flatMap(Int64.init),
                    length > routes.locker.settings.maxBytes + 65536
                {
                    throw Request.tooLarge(Int(routes.locker.settings.maxBytes))
                }
                var reader = MultipartFormReader(boundary: boundary, body: request.body)
                var fields: [String: String] = [:]
                while let part = try await reader.next() {
                    guard part.fileName == nil else {
                        // The token and the fields come before the file, in the form's order.
                        guard let token = fields["csrf_token"], ConsoleSession.same(token, console.csrf) else {
                            throw ServiceError.forbidden(
                                "the form is out of date or came from another site: open the page again")
                        }
                        let draft = EvidenceLocker.Draft(
                            fileName: part.fileName, mediaType: part.contentType,
                            description: fields["description"].nonBlank,
                            collectedBy: fields["collected_by"].nonBlank, place: fields["place"].nonBlank)
                        do {
                            _ = try await routes.locker.upload(draft, to: id, by: caller) { intake in
                                try await reader.stream { bytes in try bytes.withUnsafeBytes { try intake.write($0) } }
                            }
                        } catch let tooLarge as EvidenceFiles.TooLarge {
                            throw Request.tooLarge(Int(tooLarge.limit))
                        }
                        return ConsolePage.redirect("/incidents/\(id.uuidString)#evidence")
                    }
                    fields[part.name] = try await reader.text(limit: 8192)
                }
                throw ValidationFailure([FieldError("file", "choose a file to upload")])
            } catch {
                return ConsolePage.error(error, for: console, context: context)
            }
        }
        router.get("/incidents/{id}/evidence/{evidence}") { request, context in
            let console = await ConsoleRequest.make(
                request, context: context, app: routes.app, settings: routes.settings)
            do {
                guard let caller = console.caller else { throw ServiceError.unauthenticated("sign in first") }
                guard let evidence = context.parameters.get("evidence").flatMap(UUID.init(uuidString:)) else {
                    throw ServiceError.notFound("evidence")
                }
                return try await EvidenceRoutes.content(
                    evidence, of: try console.id("incident"), by: caller, locker: routes.locker, context: context)
            } catch {
                return ConsolePage.error(error, for: console, context: context)
            }
        }
    }

    /// The evidence section of an incident's page.
    static func section(_ id: UUID, items: [Evidence], writes: Bool, zone: TimeZone, _ console: ConsoleRequest) -> HTML
    {
        let t = console.t
        let rows = items.map { item -> [HTML] in
            [
                "<a href=\"/incidents/\(id.uuidString)/evidence/\(item.id.uuidString)\">\(item.fileName)</a>",
                "\(console.language.number(Double(item.size) / 1024, fractionDigits: 1)) KiB",
                "\(item.description ?? "")",
                "\(item.uploadedBy)", console.time(item.uploadedAt, in: zone),
                "<code>\(String(item.sha256.prefix(16)))…</code>",
            ]
        }
        let form: HTML =
            writes
            ? """
            <form method="post" action="/incidents/\(id.uuidString)/evidence" enctype="multipart/form-data" class="stack" data-upload>
            \(console.csrfField)
            <label for="evidence-description">\(t("Description"))</label>
            <input id="evidence-description" name="description" maxlength="4000">
            <label for="evidence-collected-by">\(t("Collected by"))</label>
            <input id="evidence-collected-by" name="collected_by" maxlength="200">
            <label for="evidence-file">\(t("File"))</label>
            <input id="evidence-file" name="file" type="file" required>
            <progress max="100" value="0" hidden aria-label="\(t("Upload progress"))"></progress>
            <button type="submit">\(t("Upload"))</button>
            </form>
            """ : ""
        return """
            <section id="evidence"><h2>\(t("Evidence"))</h2>
            \(console.table(["File", "Size", "Description", "Uploaded by", "Uploaded", "SHA-256"], rows, empty: "No evidence yet."))
            \(form)
            </section>
            """
    }
}

extension Optional where Wrapped == String {
    /// The text trimmed, nil when missing or blank.
    fileprivate var nonBlank: String? {
        guard let text = self?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }
}
