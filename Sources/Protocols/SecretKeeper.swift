/// Where the protocol clients hand the secrets they receive (refresh tokens,
/// access tokens), so that the evidence layer masks them from then on. The
/// clients know no more of redaction than this.
public protocol SecretKeeper: Sendable {
    /// A value to mask wherever it appears from now on.
    func register(_ secret: String, label: String)
    /// A value left readable in part (a JWT keeps its claims) that must never appear whole.
    func fingerprint(_ secret: String, label: String)
}
