"""Forms of the sharing app, one module per feature."""
