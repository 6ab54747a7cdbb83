"""``icesight`` command line: ``icesight serve`` starts the backend; ``icesight prune`` applies the
retention policy to finished jobs by hand (also while the service runs); ``icesight chart-scene``
runs the chart_scene pipeline on a running backend (for cron or a workflow scheduler)."""

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
    serve.add_argument("--max-scene-side-px", type=int, default=60000, help="largest scene side ingested")
    serve.add_argument("--max-scene-mpx", type=float, default=1500.0, help="largest scene ingested, in megapixels")
    serve.add_argument("--log-level", default="info")
    prune_parser = sub.add_parser("prune", help="remove old finished jobs and their artifacts")
    for command in (serve, prune_parser):
        command.add_argument("--retention-days", type=float, default=None if command is prune_parser else 90.0,
                             help="remove finished jobs older than this (serve default: 90)")
        command.add_argument("--retention-max-gb", type=float, default=None,
                             help="then remove the oldest finished jobs until their artifacts take at most this")
    prune_parser.add_argument("--data-dir", type=Path, default=_default_dir("XDG_DATA_HOME", ".local/share"))
    prune_parser.add_argument("--dry-run", action="store_true", help="say what would go, remove nothing")
    chart = sub.add_parser("chart-scene", help="chart a scene through a running backend: ingest, detect, classify, "
                                               "explain, export; unchanged stages are reused")
    chart.add_argument("--url", default="http://127.0.0.1:8765", help="the backend")
    chart.add_argument("--token-file", type=Path, default=_default_dir("XDG_CONFIG_HOME", ".config") / "token")
    source = chart.add_mutually_exclusive_group(required=True)
    source.add_argument("--scene-id", help="a scene of the backend's catalog")
    source.add_argument("--upload", type=Path, help="a GeoTIFF/COG of sigma0 or a zipped Sentinel-1 SAFE to ingest first")
    chart.add_argument("--mode", choices=["EW", "IW"], default=None)
    chart.add_argument("--model-id", default=None, help="default: the production model")
    chart.add_argument("--explain-n", type=int, default=5, help="explain this many of the least certain calls")
    chart.add_argument("--out", type=Path, required=True, help="folder for the results")
    chart.add_argument("--timeout-min", type=float, default=120.0)
    return parser


def chart_scene(args: argparse.Namespace) -> int:
    """Submit chart_scene, follow its stages, download its results; exit 0 only on success."""
    import time

    import requests

    from icesight_contract import API_PREFIX

    base = args.url.rstrip("/") + API_PREFIX
    headers = {"Authorization": f"Bearer {args.token_file.read_text().strip()}"}
    with requests.Session() as session:
        session.headers.update(headers)
        params: dict = {"model_id": args.model_id, "explain_n": args.explain_n}
        if args.upload is not None:
            with open(args.upload, "rb") as handle:
                upload = session.post(f"{base}/uploads", data=handle, params={"filename": args.upload.name}, timeout=3600)
            if upload.status_code != 201:
                print(f"upload refused: {upload.json().get('error', {}).get('message', upload.text)}", file=sys.stderr)
                return 1
            params |= {"upload_id": upload.json()["upload_id"], "mode": args.mode}
        else:
            params["scene_id"] = args.scene_id
        submitted = session.post(f"{base}/jobs", json={"kind": "chart_scene", "params": params}, timeout=600)
        if submitted.status_code != 202:
            error = submitted.json().get("error", {})
            print(f"refused: {error.get('field') or ''} {error.get('message', submitted.text)}".strip(), file=sys.stderr)
            return 1
        job_id, last = submitted.json()["id"], ""
        deadline = time.monotonic() + args.timeout_min * 60
        while time.monotonic() < deadline:
            status = session.get(f"{base}/jobs/{job_id}", timeout=60).json()
            line = f"[{status['progress']:4.0%}] {status['message']}"
            if line != last:
                print(line, flush=True)
                last = line
            if status["state"] in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(2.0)
        else:
            print(f"job {job_id} did not finish within {args.timeout_min:g} min", file=sys.stderr)
            return 1
        if status["state"] != "succeeded":
            print(f"job {job_id} {status['state']}: {(status.get('error') or {}).get('message', '')}", file=sys.stderr)
            return 1
        args.out.mkdir(parents=True, exist_ok=True)
        for item in status["artifacts"]:
            with session.get(f"{base}/jobs/{job_id}/artifacts/{item['name']}", stream=True, timeout=600) as response:
                response.raise_for_status()
                with open(args.out / item["name"], "wb") as handle:
                    for chunk in response.iter_content(1 << 20):
                        handle.write(chunk)
        stages = ", ".join(f"{s['name']} {s['state']}" for s in status["result"]["stages"])
        result = status["result"]
        print(f"job {job_id}: {result['n_detections']} detections, {result['n_ships']} ships, {result['n_icebergs']} "
              f"icebergs ({stages}); {len(status['artifacts'])} files in {args.out}")
    return 0


def _max_bytes(gigabytes: float | None) -> int | None:
    return None if gigabytes is None else int(gigabytes * 1024**3)


def prune(args: argparse.Namespace) -> int:
    from .store import JobStore

    if args.retention_days is None and args.retention_max_gb is None:
        print("give --retention-days and/or --retention-max-gb", file=sys.stderr)
        return 2
    store = JobStore(args.data_dir)
    try:
        report = store.prune(args.retention_days, _max_bytes(args.retention_max_gb), dry_run=args.dry_run)
    finally:
        store.close()
    verb = "would remove" if args.dry_run else "removed"
    print(f"{verb} {report.jobs_removed} finished job(s), {report.bytes_freed / 1e6:.1f} MB of artifacts, "
          f"{report.inputs_removed} unreferenced input file(s); {report.bytes_kept / 1e6:.1f} MB of artifacts kept")
    return 0


def serve(args: argparse.Namespace) -> int:
    import uvicorn
    from distributed import Client

    from .api import ApiSettings, create_app
    from .catalog import SceneCatalog
    from .compute import embedded_cluster
    from .jobs.base import SceneLimits
    from .registry import ModelRegistry
    from .service import JobManager, load_or_create_token
    from .store import JobStore

    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    log = logging.getLogger("icesight")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    token = load_or_create_token(args.config_dir)
    store = JobStore(args.data_dir)
    registry = ModelRegistry(args.data_dir)

    cluster = None
    if args.scheduler_address:
        client = Client(args.scheduler_address, timeout="30s")
        scheduler_address = args.scheduler_address
    else:
        cluster = embedded_cluster(args.n_workers, args.threads_per_worker, scratch_dir=args.data_dir / "dask-scratch")
        client = Client(cluster)
        scheduler_address = cluster.scheduler_address
    log.info("Dask scheduler %s with %d worker(s)", scheduler_address, len(client.scheduler_info()["workers"]))

    limits = SceneLimits(max_side_px=args.max_scene_side_px, max_pixels=int(args.max_scene_mpx * 1e6))
    manager = JobManager(client, store, registry, SceneCatalog(args.data_dir), limits)
    recovered = manager.recover()
    if any(recovered.values()):
        log.warning("jobs left unfinished by the last run: %(requeued)d queued again, %(failed)d failed", recovered)
    manager.keep_retention(args.retention_days, _max_bytes(args.retention_max_gb))
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
    if args.command == "prune":
        return prune(args)
    if args.command == "chart-scene":
        return chart_scene(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
