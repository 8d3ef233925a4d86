"""The demo data set loaded by ``jisp demo``: fictional organisations and people at the seed's scale."""
