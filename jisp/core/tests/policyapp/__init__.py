"""A test-only app with a concrete ``Shareable`` model, installed only while testing."""
