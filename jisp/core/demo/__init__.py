"""The demo data set of ``jisp demo``: fictional organisations and people at the seed's scale."""
