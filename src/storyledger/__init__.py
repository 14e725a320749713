"""storyledger: a ledger of claims with provenance, from a pile of news articles."""

__version__ = "0.1.0"
