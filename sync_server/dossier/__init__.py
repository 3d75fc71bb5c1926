"""The case dossier (R20): a zip anyone can verify offline with `dossier_verify` (docs/DOSSIER.md)."""
