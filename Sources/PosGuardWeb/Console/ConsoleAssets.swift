import Foundation
import Hummingbird

/// The console's stylesheet and script, served by PosGuard itself (no CDN), cached by browsers for an hour.
enum ConsoleAssets {
    static let files: [String: (type: String, bytes: ByteBuffer)] = {
        var files: [String: (String, ByteBuffer)] = [:]
        for (name, type) in [
            ("console.css", "text/css; charset=utf-8"), ("console.js", "text/javascript; charset=utf-8"),
            ("favicon.svg", "image/svg+xml"),
        ] {
            if let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "console"),
                let data = try? Data(contentsOf: url)
            {
                files[name] = (type, ByteBuffer(bytes: data))
            }
        }
        return files
    }()

    static func add(to router: Router<AppRequestContext>) {
        router.get("/assets/{name}") { _, context in
            guard let file = files[context.parameters.get("name") ?? ""] else { throw HTTPError(.notFound) }
            return Response(
                status: .ok, headers: [.contentType: file.type, .cacheControl: "public, max-age=3600"],
                body: ResponseBody(byteBuffer: file.bytes))
        }
    }
}
