"""Product images in sweeps: found on pages by the site adapter, fetched under the crawl's rules, stored once
by sha256 with every place they were seen, read by OCR workers behind the crawl."""
