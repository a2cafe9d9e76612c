"""capacity domain."""
