"""Languages: catalogs, locale negotiation, formatting and SMS text hygiene."""
