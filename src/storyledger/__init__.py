"""storyledger: a ledger of claims with provenance, from a pile of news articles."""

__version__ = "0.1.0"

from .store.ledger import Ledger, open_ledger  # noqa: E402 (after the version the CLI imports)

__all__ = ["Ledger", "__version__", "open_ledger"]
