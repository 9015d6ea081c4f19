"""One sweep shared by several crawler processes: scrapy-redis frontier in Redis, PostgreSQL as the store."""
