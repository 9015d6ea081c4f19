"""The sweep's image stage: images the crawl stored are read (OCR, mark matching) and their pages
judged with them; and the accounting of what was found, fetched and read."""
