"""``icesight`` command line: ``icesight serve`` starts the backend."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path


def _default_dir(env: str, fallback: str) -> Path:
    return Path(os.environ.get(env) or Path.home() / fallback) / "icesight"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="icesight", description="IceSight compute backend")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start the HTTP API with its Dask cluster")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--data-dir", type=Path, default=_default_dir("XDG_DATA_HOME", ".local/share"))
    serve.add_argument("--config-dir", type=Path, default=_default_dir("XDG_CONFIG_HOME", ".config"),
                       help="where the token file lives (created with mode 0600 on first start)")
    serve.add_argument("--scheduler-address", default=None,
                       help="use an existing Dask scheduler (tcp://host:8786) instead of the embedded LocalCluster")
    serve.add_argument("--n-workers", type=int, default=1, help="embedded cluster: worker processes")
    serve.add_argument("--threads-per-worker", type=int, default=max(1, os.cpu_count() or 1))
    serve.add_argument("--max-body-mb", type=float, default=300.0, help="largest job body accepted")
    serve.add_argument("--max-upload-mb", type=float, default=8192.0, help="largest scene upload accepted")
    serve.add_argument("--log-level", default="info")
    return parser


def serve(args: argparse.Namespace) -> int:
    import uvicorn
    from distributed import Client

    from .api import ApiSettings, create_app
    from .catalog import SceneCatalog
    from .compute import embedded_cluster
    from .registry import ModelRegistry
    from .service import JobManager, load_or_create_token
    from .store import JobStore

    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    log = logging.getLogger("icesight")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    token = load_or_create_token(args.config_dir)
    store = JobStore(args.data_dir)
    interrupted = store.fail_interrupted()
    if interrupted:
        log.warning("%d job(s) were still running when the backend last stopped; marked failed", interrupted)
    registry = ModelRegistry(args.data_dir)

    cluster = None
    if args.scheduler_address:
        client = Client(args.scheduler_address, timeout="30s")
        scheduler_address = args.scheduler_address
    else:
        cluster = embedded_cluster(args.n_workers, args.threads_per_worker)
        client = Client(cluster)
        scheduler_address = cluster.scheduler_address
    log.info("Dask scheduler %s with %d worker(s)", scheduler_address, len(client.scheduler_info()["workers"]))

    manager = JobManager(client, store, registry, SceneCatalog(args.data_dir))
    app = create_app(
        manager,
        registry,
        ApiSettings(
            token=token,
            token_path=args.config_dir / "token",
            max_body_bytes=int(args.max_body_mb * 1024 * 1024),
            scheduler_address=scheduler_address,
            max_upload_bytes=int(args.max_upload_mb * 1024 * 1024),
        ),
    )
    print(f"IceSight backend on http://{args.host}:{args.port} (token in {args.config_dir / 'token'})", flush=True)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level.lower())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
