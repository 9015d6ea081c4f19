"""Page bytes to text and text to matching form: decoding (declared, sniffed and detected charsets,
Big5 and UTF-16 without labels), and normalisation for Chinese text (full-width forms, dashes, traditional
characters, ignorable code points). Below every stage: the crawl decodes to follow links, the snapshot
records the codec, extraction matches on normalised text."""
