"""Threat intelligence: indicators, sightings, warninglists, STIX 2.1, TAXII 2.1, MISP import,
product exports, vendor verdicts and members' own assets (seed sections 3 and 5)."""
