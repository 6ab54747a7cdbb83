"""``icesight`` command line: ``icesight serve`` starts the backend; ``icesight prune`` applies the
retention policy to finished jobs and the pipelines' stage cache by hand (also while the service
runs); ``icesight chart-scene`` and ``icesight train-pipeline`` run the chart_scene and
train_pipeline pipelines on a running backend (for cron or a workflow scheduler)."""

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
    train = sub.add_parser("train-pipeline", help="train and publish a model through a running backend: features, "
                                                  "dataset, search, evaluate, register if the gate holds; unchanged "
                                                  "stages are reused. Exit 0: registered; 3: the gate failed")
    for pipeline in (chart, train):
        pipeline.add_argument("--url", default="http://127.0.0.1:8765", help="the backend")
        pipeline.add_argument("--token-file", type=Path, default=_default_dir("XDG_CONFIG_HOME", ".config") / "token")
        pipeline.add_argument("--out", type=Path, required=True, help="folder for the results")
        pipeline.add_argument("--timeout-min", type=float, default=120.0)
    source = chart.add_mutually_exclusive_group(required=True)
    source.add_argument("--scene-id", help="a scene of the backend's catalog")
    source.add_argument("--upload", type=Path, help="a GeoTIFF/COG of sigma0 or a zipped Sentinel-1 SAFE to ingest first")
    chart.add_argument("--mode", choices=["EW", "IW"], default=None)
    chart.add_argument("--model-id", default=None, help="default: the production model")
    chart.add_argument("--explain-n", type=int, default=5, help="explain this many of the least certain calls")
    features = train.add_mutually_exclusive_group(required=True)
    features.add_argument("--feature-group", metavar="GROUP[:VERSION]", help="an existing feature group version (default: newest)")
    features.add_argument("--simulated", type=int, metavar="N", help="build the feature group from N simulated patches")
    features.add_argument("--upload", type=Path, help="build the feature group from a Kaggle Statoil/C-CORE train.json")
    train.add_argument("--group", help="the feature group to build (with --simulated or --upload)")
    train.add_argument("--dataset-name", required=True, help="the training dataset the pipeline versions")
    # Left out, a setting takes the contract's default (train_pipeline's parameters in the API).
    train.add_argument("--n-trials", type=int)
    train.add_argument("--epochs", type=int)
    train.add_argument("--min-test-accuracy", type=float, help="gate on the held-out test part")
    train.add_argument("--min-test-roc-auc", type=float, help="gate on the held-out test part")
    train.add_argument("--max-test-log-loss", type=float, help="gate on the held-out test part")
    train.add_argument("--set-production", action="store_true", help="a model that passes the gate becomes production")
    train.add_argument("--params-json", type=Path, help="further train_pipeline parameters (a JSON object) to merge in, "
                                                        "e.g. {\"min_test_accuracy\": null} for no accuracy gate")
    return parser


#: Exit status of ``train-pipeline`` when the job succeeded but the model missed its gate.
GATE_FAILED = 3


class _Pipeline:
    """One pipeline run through the HTTP API: upload, submit, follow the stages, download the results."""

    def __init__(self, args: argparse.Namespace, session):
        from icesight_contract import API_PREFIX

        self.args, self.session = args, session
        self.base = args.url.rstrip("/") + API_PREFIX
        session.headers.update({"Authorization": f"Bearer {args.token_file.read_text().strip()}"})

    def upload(self, path: Path) -> str | None:
        with open(path, "rb") as handle:
            response = self.session.post(f"{self.base}/uploads", data=handle, params={"filename": path.name}, timeout=3600)
        if response.status_code != 201:
            print(f"upload refused: {response.json().get('error', {}).get('message', response.text)}", file=sys.stderr)
            return None
        return response.json()["upload_id"]

    def run(self, kind: str, params: dict) -> dict | None:
        """The succeeded job's status with its artifacts downloaded into --out, or None (said why)."""
        import time

        submitted = self.session.post(f"{self.base}/jobs", json={"kind": kind, "params": params}, timeout=600)
        if submitted.status_code != 202:
            error = submitted.json().get("error", {})
            print(f"refused: {error.get('field') or ''} {error.get('message', submitted.text)}".strip(), file=sys.stderr)
            return None
        job_id, last = submitted.json()["id"], ""
        deadline = time.monotonic() + self.args.timeout_min * 60
        while time.monotonic() < deadline:
            status = self.session.get(f"{self.base}/jobs/{job_id}", timeout=60).json()
            line = f"[{status['progress']:4.0%}] {status['message']}"
            if line != last:
                print(line, flush=True)
                last = line
            if status["state"] in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(2.0)
        else:
            print(f"job {job_id} did not finish within {self.args.timeout_min:g} min", file=sys.stderr)
            return None
        if status["state"] != "succeeded":
            print(f"job {job_id} {status['state']}: {(status.get('error') or {}).get('message', '')}", file=sys.stderr)
            return None
        self.args.out.mkdir(parents=True, exist_ok=True)
        for item in status["artifacts"]:
            with self.session.get(f"{self.base}/jobs/{job_id}/artifacts/{item['name']}", stream=True, timeout=600) as response:
                response.raise_for_status()
                with open(self.args.out / item["name"], "wb") as handle:
                    for chunk in response.iter_content(1 << 20):
                        handle.write(chunk)
        return status


def _stages(status: dict) -> str:
    return ", ".join(f"{s['name']} {s['state']}" for s in status["result"]["stages"])


def chart_scene(args: argparse.Namespace) -> int:
    """Submit chart_scene, follow its stages, download its results; exit 0 only on success."""
    import requests

    with requests.Session() as session:
        pipeline = _Pipeline(args, session)
        params: dict = {"model_id": args.model_id, "explain_n": args.explain_n}
        if args.upload is not None:
            upload_id = pipeline.upload(args.upload)
            if upload_id is None:
                return 1
            params |= {"upload_id": upload_id, "mode": args.mode}
        else:
            params["scene_id"] = args.scene_id
        status = pipeline.run("chart_scene", params)
        if status is None:
            return 1
        result = status["result"]
        print(f"job {status['id']}: {result['n_detections']} detections, {result['n_ships']} ships, {result['n_icebergs']} "
              f"icebergs ({_stages(status)}); {len(status['artifacts'])} files in {args.out}")
    return 0


def train_pipeline(args: argparse.Namespace) -> int:
    """Submit train_pipeline, follow its stages, download its reports; exit 0 when the model is
    registered, :data:`GATE_FAILED` when it missed its gate, 1 on any failure."""
    import json

    import requests

    if (args.simulated is not None or args.upload is not None) and not args.group:
        print("--group names the feature group to build from --simulated or --upload", file=sys.stderr)
        return 2
    given = {name: getattr(args, name) for name in ("n_trials", "epochs", "min_test_accuracy", "min_test_roc_auc",
                                                      "max_test_log_loss") if getattr(args, name) is not None}
    params: dict = {"dataset_name": args.dataset_name, "set_production": args.set_production} | given
    if args.params_json is not None:
        params |= json.loads(args.params_json.read_text())
    with requests.Session() as session:
        pipeline = _Pipeline(args, session)
        if args.feature_group is not None:
            group, _, version = args.feature_group.partition(":")
            params["feature_group"] = {"group": group, "version": int(version) if version else None}
        elif args.simulated is not None:
            params["features"] = {"group": args.group, "simulated": {"n_patches": args.simulated}}
        else:
            upload_id = pipeline.upload(args.upload)
            if upload_id is None:
                return 1
            params["features"] = {"group": args.group, "upload_id": upload_id}
        status = pipeline.run("train_pipeline", params)
        if status is None:
            return 1
        result = status["result"]
        verdict = f"model {result['model_id']} registered" if result["registered"] else "no model registered"
        print(f"job {status['id']}: {verdict}; {result['gate_message']} ({_stages(status)}); "
              f"{len(status['artifacts'])} files in {args.out}")
    return 0 if result["registered"] else GATE_FAILED


def _max_bytes(gigabytes: float | None) -> int | None:
    return None if gigabytes is None else int(gigabytes * 1024**3)


def prune(args: argparse.Namespace) -> int:
    from .service import apply_retention
    from .store import JobStore

    if args.retention_days is None and args.retention_max_gb is None:
        print("give --retention-days and/or --retention-max-gb", file=sys.stderr)
        return 2
    store = JobStore(args.data_dir)
    try:
        report, cache = apply_retention(store, args.retention_days, _max_bytes(args.retention_max_gb), dry_run=args.dry_run)
    finally:
        store.close()
    verb = "would remove" if args.dry_run else "removed"
    print(f"{verb} {report.jobs_removed} finished job(s), {report.bytes_freed / 1e6:.1f} MB of artifacts, "
          f"{report.inputs_removed} unreferenced input file(s); {report.bytes_kept / 1e6:.1f} MB of artifacts kept")
    print(f"{verb} {cache.entries_removed} pipeline stage(s), {cache.bytes_freed / 1e6:.1f} MB; "
          f"{cache.bytes_kept / 1e6:.1f} MB of the stage cache kept")
    return 0


def serve(args: argparse.Namespace) -> int:
    import uvicorn
    from distributed import Client

    from .api import ApiSettings, create_app, http_protocol
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
            max_body_bytes=int(args.max_body_mb * 1024 * 1024),
            scheduler_address=scheduler_address,
            max_upload_bytes=int(args.max_upload_mb * 1024 * 1024),
        ),
    )
    print(f"IceSight backend on http://{args.host}:{args.port} (token in {args.config_dir / 'token'})", flush=True)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level.lower(), http=http_protocol())
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
    if args.command == "train-pipeline":
        return train_pipeline(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
