/// PosGuard's domain: the values and pure rules of terminal protection — lifecycle, roles and scopes,
/// organisation tree, validation, password and login policies. No I/O, no database, no clock: time is
/// always passed in, so every rule is testable in microseconds.
public enum PosGuardDomain {}
