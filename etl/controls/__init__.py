"""Export controls: China's rare-earth export-control events, the items they name, and the
trade in headings that contain a controlled line."""
