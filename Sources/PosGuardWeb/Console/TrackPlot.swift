import Foundation
import PosGuardDomain

/// A terminal's recent track against its store's geofence, drawn by the server as SVG: north up, metres to
/// scale, so it works with no map service and no internet.
struct TrackPlot {
    struct Fix: Equatable {
        var latitude: Double
        var longitude: Double
        var accuracyM: Double
    }

    let geofence: Geofence
    /// Oldest first.
    let fixes: [Fix]

    static let size = 320.0

    /// The location fixes among stored events (their JSON as the terminal sent it), oldest first.
    static func fixes(in events: [StoredEvent]) -> [Fix] {
        events.filter { $0.type == "location" }.sorted { $0.seq < $1.seq }.compactMap { event in
            guard let object = try? JSONSerialization.jsonObject(with: Data(event.body.utf8)) as? [String: Any],
                let lat = (object["lat"] as? NSNumber)?.doubleValue, let lon = (object["lon"] as? NSNumber)?.doubleValue
            else { return nil }
            return Fix(latitude: lat, longitude: lon, accuracyM: (object["accuracy_m"] as? NSNumber)?.doubleValue ?? 0)
        }
    }

    /// Metres east and north of the geofence's centre (equirectangular: exact enough within a city).
    func offset(_ fix: Fix) -> (east: Double, north: Double) {
        let metresPerDegree = 111_320.0
        return (
            (fix.longitude - geofence.longitude) * metresPerDegree * cos(geofence.latitude * .pi / 180),
            (fix.latitude - geofence.latitude) * metresPerDegree
        )
    }

    /// Metres from the centre to the plot's edge: the geofence and every fix fit, with a margin.
    var reach: Double {
        let farthest =
            fixes.map { fix -> Double in
                let (east, north) = offset(fix)
                return max(abs(east), abs(north))
            }.max() ?? 0
        return max(geofence.radiusM * 1.5, farthest * 1.15, 50)
    }

    /// The length of the scale bar: a round number of metres, about a quarter of the plot's width.
    var bar: Double {
        let target = reach / 2
        let magnitude = pow(10, floor(log10(target)))
        return [5.0, 2, 1].map { $0 * magnitude }.first { $0 <= target } ?? magnitude
    }

    func svg(title: String, inside: String, outside: String) -> HTML {
        let scale = Self.size / 2 / reach
        let point = { (fix: Fix) -> (Double, Double) in
            let (east, north) = offset(fix)
            return (Self.size / 2 + east * scale, Self.size / 2 - north * scale)
        }
        let f = { (value: Double) in String(format: "%.1f", value) }
        let line = fixes.map(point).map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        var marks: [HTML] = []
        for (i, fix) in fixes.enumerated() {
            let (x, y) = point(fix)
            let (east, north) = offset(fix)
            let out = (east * east + north * north).squareRoot() > geofence.radiusM
            let last = i == fixes.count - 1
            marks.append(
                """
                <circle cx="\(f(x))" cy="\(f(y))" r="\(f(max(fix.accuracyM * scale, 0)))" class="accuracy"/>\
                <circle cx="\(f(x))" cy="\(f(y))" r="\(last ? "6" : "3.5")" class="fix\(out ? " out" : "")\(last ? " last" : "")">\
                <title>\(out ? outside : inside)</title></circle>
                """)
        }
        let c = f(Self.size / 2)
        return """
            <svg class="track" viewBox="0 0 \(Int(Self.size)) \(Int(Self.size))" role="img" aria-labelledby="track-title">
            <title id="track-title">\(title)</title>
            <rect width="100%" height="100%" class="ground"/>
            <circle cx="\(c)" cy="\(c)" r="\(f(geofence.radiusM * scale))" class="fence"/>
            <circle cx="\(c)" cy="\(c)" r="3" class="store"/>
            \(fixes.count > 1 ? HTML("<polyline points=\"\(line)\" class=\"path\"/>") : "")
            \(marks)
            <line x1="8" y1="\(Int(Self.size) - 20)" x2="\(f(8 + bar * scale))" y2="\(Int(Self.size) - 20)" class="bar"/>
            <text x="8" y="\(Int(Self.size) - 6)" class="scale">\(Int(bar)) m</text>
            </svg>
            """
    }
}
