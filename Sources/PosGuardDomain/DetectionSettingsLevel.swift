extension DetectionSettings {
    /// Where detection settings are set: for a whole merchant, a store, or one terminal (each overriding the
    /// one before).
    public enum Level: String, Sendable, CaseIterable { case merchant, store, terminal }
}
