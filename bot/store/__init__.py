"""The store: SQLite by default, PostgreSQL for a `postgresql://` BAYBRIEF_DB.

`store.py` holds every query, `migrations.py` the schema, `dialects.py` where the two engines
differ. The rest of the bot imports `Store` (and the few names below) from here.
"""

from bot.store.dialects import is_postgres
from bot.store.migrations import MIGRATIONS
from bot.store.store import FactVersion, Store, fact_base_digest

__all__ = ["MIGRATIONS", "FactVersion", "Store", "fact_base_digest", "is_postgres"]
