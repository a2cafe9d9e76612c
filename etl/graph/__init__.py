"""graph domain."""
