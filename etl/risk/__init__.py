"""Supply risk of rare earths by the EU critical-raw-materials method."""
