"""What the bot knows: sources, parsing and chunking, sync planning, search index backends
and the haystack retrieval pipeline. Plain parameters in, plain values out: this package
never reads settings or environment variables and never touches the database."""
