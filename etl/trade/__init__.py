"""trade domain."""
