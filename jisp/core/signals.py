"""Receivers of the core app."""
