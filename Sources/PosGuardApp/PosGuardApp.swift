/// One PosGuard instance put together: its services over one database, the HTTP server, the ISO 8583 gateway
/// and the background jobs, built from one configuration — by `posguard serve`, the benchmarks and the tests.
public enum PosGuardApp {}
