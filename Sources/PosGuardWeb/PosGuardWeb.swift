/// PosGuard's HTTP interface: the REST API under `/api/v1` (JSON, snake_case, RFC 3339 times, errors as
/// RFC 9457 problem documents), health and metrics endpoints, and the OpenAPI document that describes them.
public enum PosGuardWeb {}
