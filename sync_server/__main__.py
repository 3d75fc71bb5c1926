"""Command line: serve, seed demo data, enter a year's holiday notice.

  python -m sync_server --host 127.0.0.1 --port 8000 --data-dir data/server [--seed-demo]
  python -m sync_server seed-demo --data-dir data/server [--accepted-on 2026-11-16]
  python -m sync_server holidays add --data-dir data/server notice-2027.json
  python -m sync_server verify-dossier FILE.zip [--agency-key-id HEX]   (offline: dossier_verify)
  python -m sync_server tls init --data-dir data/server [--host sync.example.gov.cn]

Serving is HTTPS when --tls-cert/--tls-key are given or the data dir holds tls/server.crt and server.key;
plain HTTP only on a loopback address, or anywhere with --insecure-http (tls_policy.py).
The data dir must be private (0700; privacy.py): a start refuses one that others may read.
  python -m sync_server check --data-dir data/server    (database integrity, every file's hash, the log)
  python -m sync_server backup --data-dir data/server --to /mnt/backup      (while the server runs)
  python -m sync_server restore --from /mnt/backup/snapshots/<stamp> --data-dir data/restored
  python -m sync_server sweep-uploads --data-dir data/server   (partial uploads untouched for 7 days)
"""
from __future__ import annotations

import argparse
import contextlib
import logging.config
import os
import socket
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sync_server.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

# The heavier imports (database, pydantic, uvicorn) wait inside the commands, so --help is quick.


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (serving is the default command)."""
    parser = argparse.ArgumentParser(prog="python -m sync_server",
                                     description="核查外勤同步服务 / field evidence sync server")
    parser.add_argument("--host", default="127.0.0.1", help="监听地址 / address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="端口 / port (default 8000)")
    parser.add_argument("--data-dir", type=Path, help="数据目录：server.db 与 evidence/ / data directory")
    parser.add_argument("--workers", type=int, default=1,
                        help="工作进程数（PostgreSQL 时可大于 1）/ worker processes (PostgreSQL)")
    parser.add_argument("--seed-demo", action="store_true",
                        help="若尚无演示数据则写入 / seed demo data if missing")
    parser.add_argument("--tls-cert", type=Path, help="服务器证书 PEM（默认 数据目录/tls/server.crt，若存在）")
    parser.add_argument("--tls-key", type=Path, help="服务器私钥 PEM（默认 数据目录/tls/server.key，若存在）")
    parser.add_argument("--insecure-http", action="store_true",
                        help="无证书时允许在非本机地址上提供明文 HTTP（仅当前面有终止 TLS 的代理）"
                             " / serve plain HTTP off loopback")
    commands = parser.add_subparsers(dest="command", metavar="{seed-demo,holidays,create-admin,tls,backup,restore,"
                                                                      "sweep-uploads,verify-dossier,check}")
    verify = commands.add_parser("verify-dossier", add_help=False,
                                 help="离线核验案件档案包 / verify a case dossier offline (see its --help)")
    verify.add_argument("rest", nargs=argparse.REMAINDER)
    seed = commands.add_parser("seed-demo", help="写入演示数据（可重复执行）/ seed demo data (idempotent)")
    seed.add_argument("--data-dir", type=Path, required=True, help="数据目录 / data directory")
    seed.add_argument("--accepted-on", type=date.fromisoformat, default=None,
                      help="演示案件受理日期 YYYY-MM-DD（默认今天）/ acceptance date of the demo cases")
    holidays = commands.add_parser("holidays", help="法定节假日安排 / official holiday notices")
    actions = holidays.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="录入一年的节假日安排（YearNotice JSON）/ add one year's notice")
    add.add_argument("--data-dir", type=Path, required=True, help="数据目录 / data directory")
    add.add_argument("file", type=Path, help="YearNotice JSON 文件 / notice file")
    tls = commands.add_parser("tls", help="机构 CA 与服务器证书 / the agency CA and server certificate")
    tls_actions = tls.add_subparsers(dest="action", required=True)
    init = tls_actions.add_parser("init", help="生成机构 CA（若无）和服务器证书 / make the CA (if missing) "
                                               "and a server certificate")
    init.add_argument("--data-dir", type=Path, required=True, help="数据目录 / data directory")
    init.add_argument("--host", action="append", default=[],
                      help="证书中的其他主机名或地址（127.0.0.1 与 localhost 总是包含）/ extra host name")
    sign = tls_actions.add_parser("sign-unit", help="用机构 CA 签发委托单位接口的客户端证书（在 CA 所在计算机上）"
                                                    " / sign an entrusting unit's CSR as its client certificate")
    sign.add_argument("--data-dir", type=Path, required=True, help="tls init 的目录（含 tls/ca.key）/ the CA's dir")
    for flag, text in (("--unit-id", "委托单位接口编号"), ("--unit-name", "委托单位名称"),
                       ("--csr", "委托单位的证书请求（PEM）"), ("--out", "证书写入的文件")):
        sign.add_argument(flag, required=True, type=Path if flag in ("--csr", "--out") else str, help=text)
    backup = commands.add_parser("backup", help="在线备份数据库与留证文件 / back up database and evidence")
    backup.add_argument("--data-dir", type=Path, required=True, help="数据目录 / data directory")
    backup.add_argument("--to", type=Path, required=True, help="备份目录（另一块磁盘）/ backup directory")
    restore = commands.add_parser("restore", help="从备份恢复到空目录 / restore a snapshot")
    restore.add_argument("--from", dest="snapshot", type=Path, required=True, help="snapshots/<时间> 目录")
    restore.add_argument("--data-dir", type=Path, required=True, help="空的数据目录 / an empty data directory")
    check = commands.add_parser("check", help="检查数据库完整性、每个留证文件的哈希与审计日志 / check the "
                                              "database, every cited file's hash and the audit log")
    check.add_argument("--data-dir", type=Path, required=True, help="数据目录 / data directory")
    sweep = commands.add_parser("sweep-uploads", help="清除长期无人续传的部分上传 / remove abandoned partial "
                                                      "uploads (SYNC_ABANDONED_UPLOAD_DAYS, default 7)")
    sweep.add_argument("--data-dir", type=Path, required=True, help="数据目录 / data directory")
    admin = commands.add_parser("create-admin", help="创建首个管理员（密码取自环境变量 ADMIN_PASSWORD 或提示输入）"
                                                      " / bootstrap the first administrator")
    admin.add_argument("--data-dir", type=Path, required=True, help="数据目录 / data directory")
    for flag, text in (("--username", "用户名"), ("--name", "真实姓名"), ("--work-id", "工作证号"),
                       ("--org-id", "核查机构编号"), ("--org-name", "核查机构名称")):
        admin.add_argument(flag, required=True, help=text)
    return parser


def run_backup(data_dir: Path, to: Path) -> int:
    """Back up a (running) server's database and evidence; returns the exit code."""
    from sync_server.ops.backup import backup

    snapshot, damaged = backup(_settings(data_dir), to)
    for problem in damaged:
        print(f"缺失或损坏 / missing or damaged: {problem.line()}", file=sys.stderr)
    if damaged:
        print(f"备份完成，但 {len(damaged)} 个文件缺失或损坏（见 manifest.json 的 missing）/ backup made with "
              f"{len(damaged)} file(s) missing: {snapshot}", file=sys.stderr)
        return 1
    print(f"备份完成 / backup made: {snapshot}")
    return 0


def run_restore(snapshot: Path, data_dir: Path) -> int:
    """Restore a snapshot into an empty data dir; returns the exit code."""
    from sync_server.ops.backup import restore

    manifest = restore(snapshot, _settings(data_dir))
    print(f"已恢复 / restored: {len(manifest['evidence'])} 个留证文件 / evidence files, {manifest['database']}")
    return 0


def run_sweep_uploads(data_dir: Path) -> int:
    """Remove partial uploads nobody touched for `abandoned_upload_days`; print what went."""
    from sync_server.evidence.chunked_uploads import PartialUploads
    from sync_server.evidence.disk_store import BlobStore
    from sync_server.evidence.partial_sweep import sweep_uploads

    settings = _settings(data_dir)
    removed = sweep_uploads(PartialUploads(BlobStore(settings.evidence_dir)), settings)
    for stem in removed:
        print(f"已清除 / removed: {stem}")
    print(f"清除 {len(removed)} 个无人续传的部分上传 / {len(removed)} abandoned partial upload(s) removed")
    return 0


def run_create_admin(args: argparse.Namespace) -> int:
    """The one account made outside the API (R4, R6): a real-name administrator of an agency."""
    import getpass

    from schemas.problems import ProblemError
    from schemas.protocol import AccountRole
    from sync_server.accounts.auth import create_account
    from sync_server.db import make_engine, open_session
    from sync_server.tables import Organisation

    password = os.environ.get("ADMIN_PASSWORD") or getpass.getpass("管理员密码 / password: ")
    engine = make_engine(_settings(args.data_dir).db_url)
    try:
        with open_session(engine) as session:
            if session.get(Organisation, args.org_id) is None:
                session.add(Organisation(id=args.org_id, name=args.org_name, kind="agency"))
                session.flush()
            create_account(session, username=args.username, name=args.name, role=AccountRole.ADMIN,
                           password=password, work_id=args.work_id, org_id=args.org_id)
            session.commit()
    except ProblemError as problem:
        print(f"无法创建管理员 / cannot create: {problem.detail}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"已创建管理员 {args.username} / administrator created")
    return 0


def _settings(data_dir: Path) -> Settings:
    from sync_server.ops.privacy import make_private_dir

    make_private_dir(data_dir)
    return Settings.from_env(data_dir, os.environ)


def run_seed(data_dir: Path, accepted_on: date | None) -> int:
    """Seed demo data into a data dir (the administrator bootstrapped, the rest through the API)."""
    from sync_server.ops.seed import seed_demo

    _print_seeded(seed_demo(_settings(data_dir), accepted_on or date.today()))
    return 0


def _print_seeded(added: int) -> None:
    print(f"演示数据：新增 {added} 条 / demo data: {added} rows added" if added
          else "演示数据已存在 / demo data present")


def _serving_app(settings: Settings, seed: bool) -> FastAPI:
    """The app one worker serves; with `seed`, the demo is seeded through this same app first (issue 19: a
    separate seeding app built the ~190 routes' dependency state a second time, 0.3 s of a fresh start).
    Its clock is the seed's, which is the real one except while the demo's materials are received."""
    from sync_server.app import create_app

    if not seed:
        return create_app(settings)
    from sync_server.ops.seed import SeedClock, seed_app
    from sync_server.services import utc_now

    clock = SeedClock(utc_now)
    app = create_app(settings, clock=clock)
    _print_seeded(seed_app(app, clock, date.today()))
    return app


def run_holidays_add(data_dir: Path, file: Path) -> int:
    """Enter one year's official holiday notice; returns the exit code."""
    from pydantic import ValidationError

    from schemas.workdays import YearNotice
    from sync_server.casework.deadlines import save_notice
    from sync_server.db import make_engine, open_session
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


def run_tls_init(data_dir: Path, hosts: list[str]) -> int:
    """Make the agency CA (kept if present) and a server certificate; print where they are."""
    from sync_server.edge.tls import fingerprint, init_tls

    data_dir.mkdir(parents=True, exist_ok=True)
    files = init_tls(data_dir, tuple(hosts))
    print(f"机构 CA 证书 / agency CA: {files.ca_cert}\n  SHA-256 {fingerprint(files.ca_cert)}\n"
          f"服务器证书 / server certificate: {files.server_cert}\n"
          f"CA 私钥请离线保管 / keep the CA key offline: {files.ca_key}")
    return 0


def run_sign_unit(args: argparse.Namespace) -> int:
    """Sign a unit's CSR with the agency CA (kept offline); the administrator registers the result."""
    from schemas.problems import ProblemError
    from sync_server.edge.client_certs import sign_unit_files

    try:
        facts = sign_unit_files(args.data_dir, args.csr, args.unit_id, args.unit_name, args.out)
    except ProblemError as refused:
        print(f"证书请求不合格 / CSR refused: {refused.detail}", file=sys.stderr)
        return 2
    print(f"已签发 / issued: {args.out}\n  序列号 serial {facts.serial}\n  SHA-256 {facts.fingerprint}\n"
          f"  有效期至 / valid until {facts.not_after:%Y-%m-%d}\n"
          "请在控制台「数据交换」该单位下「登记已签发的证书」/ register it on the console's exchange page")
    return 0


def tls_pair(data_dir: Path, cert: Path | None, key: Path | None) -> tuple[Path, Path] | None:
    """The certificate and key to serve HTTPS with: given, or found in the data dir; None for HTTP."""
    from sync_server.edge.tls import TlsFiles

    if (cert is None) != (key is None):
        raise SystemExit("--tls-cert 与 --tls-key 需同时给出 / give both --tls-cert and --tls-key")
    if cert is not None and key is not None:
        return cert, key
    files = TlsFiles.of(data_dir)
    return (files.server_cert, files.server_key) if files.ready() else None


def run_server(settings: Settings, host: str, port: int, seed: bool,
               tls: tuple[Path, Path] | None = None, workers: int = 1) -> int:
    """Serve until interrupted (HTTPS with `tls` = (certificate, key); cookies are Secure then)."""
    import uvicorn

    from sync_server.edge.uvicorn_server import serve_workers, share_metrics, uvicorn_config
    from sync_server.ops import gc_pause
    from sync_server.ops.log_config import logging_config

    if workers > 1:
        share_metrics(settings.data_dir)  # before the app (and prometheus-client) loads, the seed's included
        if seed:
            run_seed(settings.data_dir, None)
            gc_pause.collect()  # the seed's own app is garbage now, not to be frozen into every worker
    if tls is not None:
        settings = settings.replace(secure_cookies=True)
    ssl: dict[str, str] = {"ssl_certfile": str(tls[0]), "ssl_keyfile": str(tls[1])} if tls else {}
    log_config = logging_config(settings.log_level)  # JSON lines, uvicorn's too (ops/log_config.py)
    logging.config.dictConfig(log_config)
    if workers > 1:
        serve_workers(settings, host, port, workers, log_config=log_config, **ssl)
        return 0
    app = _serving_app(settings, seed)
    scheme = "https" if tls else "http"

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                print(f"同步服务已就绪 / sync server ready: {scheme}://{host}:{port}  控制台 /console/",
                      flush=True)

    Server(uvicorn_config(app, settings, host, port, log_config=log_config, log_level=settings.log_level.lower(),
                          **ssl)).run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command; settings that cannot be used stop it with exit code 2
    and the variables named on stderr (settings_env.py), never a traceback."""
    from sync_server.settings_env import SettingsError

    try:
        return run_command(argv)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2


def run_command(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command."""
    from sync_server.ops.privacy import private_umask
    from sync_server.ops.progress import report_to

    parser = build_parser()
    args = parser.parse_args(argv)
    private_umask()  # every file and folder any command writes is the owner's only (privacy.py)
    serving = args.command is None  # a served start shows progress (backfills) only on a terminal, else logs it
    if serving:
        from sync_server.ops import gc_pause

        gc_pause.pause()  # until the app starts (its lifespan resumes it): 0.35 s of a fresh start (issue 19)
    try:
        with report_to(sys.stderr) if not serving or sys.stderr.isatty() else contextlib.nullcontext():
            return dispatch(parser, args)
    finally:
        if serving:
            gc_pause.release()  # a start refused before serving (or the end of serving) leaves it on


def dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Run the parsed command; long jobs show their progress (ops/progress.py)."""
    if args.command == "verify-dossier":
        from dossier_verify.__main__ import run as verify_dossier
        return verify_dossier(args.rest, prog="python -m sync_server verify-dossier")
    if args.command == "seed-demo":
        return run_seed(args.data_dir, args.accepted_on)
    if args.command == "backup":
        return run_backup(args.data_dir, args.to)
    if args.command == "restore":
        return run_restore(args.snapshot, args.data_dir)
    if args.command == "sweep-uploads":
        return run_sweep_uploads(args.data_dir)
    if args.command == "create-admin":
        return run_create_admin(args)
    if args.command == "check":
        from sync_server.ops.checking import run_check
        return run_check(_settings(args.data_dir))
    if args.command == "holidays":
        return run_holidays_add(args.data_dir, args.file)
    if args.command == "tls" and args.action == "sign-unit":
        return run_sign_unit(args)
    if args.command == "tls":
        return run_tls_init(args.data_dir, args.host)
    if args.data_dir is None:
        parser.error("--data-dir is required to serve / 需要 --data-dir")
    tls = tls_pair(args.data_dir, args.tls_cert, args.tls_key)
    return start(args, tls)


def start(args: argparse.Namespace, tls: tuple[Path, Path] | None) -> int:
    """Serve, after the checks a start makes: a private data folder, TLS off loopback, a readable database.
    Each refusal is one clear message on stderr and exit code 2, never a traceback."""
    from sync_server.edge.tls_policy import plain_http_refusal
    from sync_server.ops.privacy import DataDirExposed, require_private
    from sync_server.ops.startup import database_problem

    refusal = plain_http_refusal(args.host, tls is not None, args.insecure_http)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    settings = _settings(args.data_dir)
    try:
        require_private(args.data_dir)
        return run_server(settings, args.host, args.port, args.seed_demo, tls, args.workers)
    except DataDirExposed as exposed:
        print(exposed, file=sys.stderr)
        return 2
    except Exception as error:
        message = database_problem(error, settings)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
