"""A sweep shared by several crawler processes: the coordinator and the workers (the shared frontier
and politeness they use are crawl parts: crawler/cluster/)."""
