"""The `rnnviz` command: start the app (default), or train, evaluate, build shipped assets, convert old checkpoints."""

from __future__ import annotations

import sys
from pathlib import Path

USAGE = """usage: rnnviz [app] [streamlit options]   start the dashboard (default)
       rnnviz train ...                    python -m rnnviz.train
       rnnviz evaluate ...                 python -m rnnviz.evaluate
       rnnviz corpus ...                   python -m rnnviz.corpus
       rnnviz phrases ...                  python -m rnnviz.phrases
       rnnviz convert OLD.pt [NEW]         python -m rnnviz.convert"""


TOOLS = ("train", "evaluate", "corpus", "phrases", "convert")  # each is python -m rnnviz.NAME


def app_script() -> Path:
    """streamlit_app.py: beside the package in a checkout, inside it (rnnviz/_app) when installed."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package.parent / "streamlit_app.py", package / "_app" / "streamlit_app.py"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("streamlit_app.py not found beside or inside the rnnviz package")


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args and (args[0] in ("-h", "--help") or not args[0].startswith("-")) else "app"
    if command in ("-h", "--help", "help"):
        print(USAGE)
    elif command == "app":
        from streamlit.web import cli as streamlit_cli

        sys.argv = ["streamlit", "run", str(app_script()), *args]
        sys.exit(streamlit_cli.main())
    elif command in TOOLS:
        module = __import__(f"rnnviz.{command}", fromlist=["main"])
        module.main(args)
    else:
        print(f"rnnviz: unknown command {command!r}\n{USAGE}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
