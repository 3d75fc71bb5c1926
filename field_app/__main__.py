"""python -m field_app --port PORT --server URL --data-dir DIR: the tablet app in web mode."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from field_app.settings import Settings
from field_app.sync.tls import InsecureServerUrl, check_server_url


def parse(argv: list[str] | None = None) -> Settings:
    """Settings from the command line (defaults from FIELD_* environment variables)."""
    defaults = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m field_app",
                                     description="核查外勤平板应用（网页模式，离线可用）/ the field app in web mode")
    parser.add_argument("--port", type=int, default=defaults.port, help="本机监听端口 (127.0.0.1)")
    parser.add_argument("--server", default=defaults.server_url,
                        help="同步服务器地址（不填：首次启动时扫描设备登记二维码）")
    parser.add_argument("--data-dir", type=Path, default=defaults.data_dir,
                        help="平板数据目录（SQLite 与留证文件）")
    parser.add_argument("--key-dir", type=Path, default=defaults.key_dir,
                        help="网页模式的密钥目录（须在数据目录之外；默认在本机用户配置目录下）")
    parser.add_argument("--idle-lock-seconds", type=int, default=defaults.idle_lock_seconds,
                        help="无操作多少秒后锁屏（0 为不锁；默认取 FIELD_IDLE_LOCK_SECONDS 或 300）")
    parser.add_argument("--ca-file", type=Path, default=defaults.ca_file,
                        help="机构 CA 证书（PEM）：https 时只信任它 / the agency CA, the only one trusted")
    args = parser.parse_args(argv)
    ca_file = args.ca_file.resolve() if args.ca_file else None
    try:
        if args.server:  # none: provisioned by the enrolment QR code on the first screen
            check_server_url(args.server, ca_file)
    except InsecureServerUrl as refused:
        parser.error(str(refused))
    return Settings(server_url=args.server.rstrip("/"), data_dir=args.data_dir.resolve(), port=args.port,
                    key_dir=args.key_dir.resolve() if args.key_dir else None, ca_file=ca_file,
                    idle_lock_seconds=max(0, args.idle_lock_seconds))


def main() -> None:
    settings = parse()
    os.environ.setdefault("FLET_WEB_NO_CDN", "1")
    os.environ.setdefault("BROWSER", "true")  # never try to open a browser window
    from field_app.app import run

    run(settings)


if __name__ == "__main__":
    main()
