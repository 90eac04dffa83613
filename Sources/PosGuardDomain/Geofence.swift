import Foundation

/// A store's premises as a circle: centre and radius in metres.
public struct Geofence: Sendable, Equatable, Codable {
    public var latitude: Double
    public var longitude: Double
    public var radiusM: Double

    public init(latitude: Double, longitude: Double, radiusM: Double) {
        self.latitude = latitude
        self.longitude = longitude
        self.radiusM = radiusM
    }

    public func validate(field: String = "geofence", into validator: inout Validator) {
        validator.check((-90...90).contains(latitude), "\(field).latitude", "must be between -90 and 90")
        validator.check((-180...180).contains(longitude), "\(field).longitude", "must be between -180 and 180")
        validator.check((10...50_000).contains(radiusM), "\(field).radius_m", "must be between 10 and 50000 metres")
    }

    /// Great-circle distance in metres from the centre to a point (haversine, mean Earth radius).
    public func distance(toLatitude lat: Double, longitude lon: Double) -> Double {
        let r = 6_371_008.8
        let φ1 = latitude * .pi / 180
        let φ2 = lat * .pi / 180
        let dφ = (lat - latitude) * .pi / 180
        let dλ = (lon - longitude) * .pi / 180
        let a = sin(dφ / 2) * sin(dφ / 2) + cos(φ1) * cos(φ2) * sin(dλ / 2) * sin(dλ / 2)
        return 2 * r * atan2(sqrt(a), sqrt(1 - a))
    }
}
