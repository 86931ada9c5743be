"""zoho-migrate: find and rewrite legacy Zoho authtoken/apikey API usage, verify and authorize the OAuth result."""

__version__ = "0.1.0"
