"""`python -m markwatch.demo_site --port N`: serve the demo marketplace on 127.0.0.1."""

from __future__ import annotations

import argparse
import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from markwatch.demo_site import GBK_PAGES, PAGES


class DemoHandler(SimpleHTTPRequestHandler):
    """Static files with the charset each page really uses."""

    def guess_type(self, path: Any) -> str:
        if str(path).endswith(".html"):
            charset = "gbk" if self.path.split("?")[0] in GBK_PAGES else "utf-8"
            return f"text/html; charset={charset}"
        if str(path).endswith(".txt"):
            return "text/plain; charset=utf-8"
        return super().guess_type(path)

    def log_message(self, format: str, *args: Any) -> None:
        return


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m markwatch.demo_site")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer(
        ("127.0.0.1", args.port), functools.partial(DemoHandler, directory=str(PAGES))
    )
    print(f"demo marketplace on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
