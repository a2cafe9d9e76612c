"""production domain."""
