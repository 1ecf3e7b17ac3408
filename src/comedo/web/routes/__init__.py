"""The web app's routers: pages, analyses, history, comparisons and triage; each route parses, calls the library
and returns its response model."""
