"""`python -m careerstream.console serve`: the web console (no database, no Kafka).

serve    run the console on CONSOLE_HTTP_HOST:CONSOLE_HTTP_PORT
"""

import sys

import uvicorn

from careerstream.console.settings import Settings
from careerstream.console.web import create_app


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "serve"
    if command in ("-h", "--help"):
        print(__doc__)
        return 0
    if command != "serve":
        print(__doc__, file=sys.stderr)
        return 2
    settings = Settings()
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        access_log=False,
        proxy_headers=True,
    )
    return 0


sys.exit(main(sys.argv[1:]))
