"""End-to-end tests through a real Home Assistant process."""
