"""STIX 2.1: the objects we write, bundles out (export) and in (import)."""
