"""Command line: serve, seed demo data, enter a year's holiday notice.

  python -m sync_server --host 127.0.0.1 --port 8000 --data-dir data/server [--seed-demo]
  python -m sync_server seed-demo --data-dir data/server [--accepted-on 2026-11-16]
  python -m sync_server holidays add --data-dir data/server notice-2027.json
"""
from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sync_server.settings import Settings

# The heavier imports (database, pydantic, uvicorn) wait inside the commands, so --help is quick.


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (serving is the default command)."""
    parser = argparse.ArgumentParser(prog="python -m sync_server",
                                     description="核查外勤同步服务 / field evidence sync server")
    parser.add_argument("--host", default="127.0.0.1", help="监听地址 / address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="端口 / port (default 8000)")
    parser.add_argument("--data-dir", type=Path, help="数据目录：server.db 与 evidence/ / data directory")
    parser.add_argument("--seed-demo", action="store_true",
                        help="若尚无演示数据则写入 / seed demo data if missing")
    commands = parser.add_subparsers(dest="command", metavar="{seed-demo,holidays}")
    seed = commands.add_parser("seed-demo", help="写入演示数据（可重复执行）/ seed demo data (idempotent)")
    seed.add_argument("--data-dir", type=Path, required=True, help="数据目录 / data directory")
    seed.add_argument("--accepted-on", type=date.fromisoformat, default=None,
                      help="演示案件受理日期 YYYY-MM-DD（默认今天）/ acceptance date of the demo cases")
    holidays = commands.add_parser("holidays", help="法定节假日安排 / official holiday notices")
    actions = holidays.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="录入一年的节假日安排（YearNotice JSON）/ add one year's notice")
    add.add_argument("--data-dir", type=Path, required=True, help="数据目录 / data directory")
    add.add_argument("file", type=Path, help="YearNotice JSON 文件 / notice file")
    return parser


def _settings(data_dir: Path) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings.from_env(data_dir, os.environ)


def run_seed(data_dir: Path, accepted_on: date | None) -> int:
    """Seed demo data into a data dir; returns the exit code."""
    from sync_server.blobs import BlobStore
    from sync_server.db import make_engine, open_session
    from sync_server.seed import seed_demo

    settings = _settings(data_dir)
    engine = make_engine(settings.db_url)
    with open_session(engine) as session:
        added = seed_demo(session, accepted_on or date.today(), BlobStore(settings.evidence_dir))
        session.commit()
    engine.dispose()
    print(f"演示数据：新增 {added} 条 / demo data: {added} rows added" if added
          else "演示数据已存在 / demo data present")
    return 0


def run_holidays_add(data_dir: Path, file: Path) -> int:
    """Enter one year's official holiday notice; returns the exit code."""
    from pydantic import ValidationError

    from schemas.workdays import YearNotice
    from sync_server.db import make_engine, open_session
    from sync_server.deadlines import save_notice
    from sync_server.services import utc_now

    try:
        notice = YearNotice.model_validate_json(file.read_text(encoding="utf-8"))
        engine = make_engine(_settings(data_dir).db_url)
        with open_session(engine) as session:
            save_notice(session, notice, utc_now())
            session.commit()
        engine.dispose()
    except (OSError, ValidationError, ValueError) as error:
        print(f"无法录入节假日安排 / cannot add notice: {error}", file=sys.stderr)
        return 2
    print(f"已录入 {notice.year} 年节假日安排：{len(notice.holidays)} 天休息，"
          f"{len(notice.workdays)} 天调休上班 / notice for {notice.year} added")
    return 0


def run_server(settings: Settings, host: str, port: int, seed: bool) -> int:
    """Serve until interrupted."""
    import uvicorn

    from sync_server.app import create_app

    if seed:
        run_seed(settings.data_dir, None)
    app = create_app(settings)

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                print(f"同步服务已就绪 / sync server ready: http://{host}:{port}  控制台 /console/",
                      flush=True)

    Server(uvicorn.Config(app, host=host, port=port, log_level="info")).run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "seed-demo":
        return run_seed(args.data_dir, args.accepted_on)
    if args.command == "holidays":
        return run_holidays_add(args.data_dir, args.file)
    if args.data_dir is None:
        parser.error("--data-dir is required to serve / 需要 --data-dir")
    return run_server(_settings(args.data_dir), args.host, args.port, args.seed_demo)


if __name__ == "__main__":
    sys.exit(main())
