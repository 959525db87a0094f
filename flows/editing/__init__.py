"""Edit pages: parties, agreements and flows kept in the product, each save predicted first."""
