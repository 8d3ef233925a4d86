"""TAXII 2.1 server."""
