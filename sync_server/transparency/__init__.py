"""The tamper-evident log (RFC 9162 style Merkle tree) and the agency's server key."""
