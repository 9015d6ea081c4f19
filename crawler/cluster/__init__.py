"""One sweep shared by several crawler processes: a Redis Streams frontier, PostgreSQL as the store."""
