/// PosGuard's services: the operations users perform — signing in, managing the organisation tree, users and
/// the terminal registry — each combining the domain's rules with storage in one transaction, with its audit
/// record committed alongside the change it describes.
public enum PosGuardServices {}
