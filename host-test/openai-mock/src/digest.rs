//! Digests as the mock shows them: lowercase hex. Recorded parts, request
//! ids and chat answers all print SHA-256 digests this one way.

/// `bytes` as lowercase hex, two digits a byte.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
