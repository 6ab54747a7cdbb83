"""Dense iceberg-probability maps: the patch CNN evaluated fully convolutionally over a whole scene.

Classifying the 75 x 75 window around every pixel repeats almost all of the convolution work
(neighbouring windows share all but one row or column). Instead the convolution blocks run once
over a large chunk of the scene, the head's first dense layer becomes a convolution whose kernel
is the last feature map (plus the incidence term), and the later dense layers become 1 x 1
convolutions. The result is the logit of every window whose top-left corner is a multiple of the
network's output stride S = pool_size ** (convolution blocks kept); the stride-S grid of
probabilities is interpolated bilinearly to every pixel. For a model with a target output the map
is P(iceberg) = P(target) P(iceberg | target), so open water, sea ice and ships all map near 0
(:func:`.outputs.iceberg_presence`); a two-class model maps P(iceberg rather than ship). On a 10,000 x 10,000 px EW scene and 2
CPU cores this takes about 3 minutes, some 2,800 times less than classifying the window around
every pixel (``bench/bench_dense_map.py``).

For the LeNet-like network ('valid' convolutions, floor pooling) the logit at a grid cell is
that of the window alone, to float rounding (measured 2e-7 in probability). The reference CNN
pads its 'same' convolutions with zeros: a window alone sees zeros beyond its border, the dense
evaluation sees the real neighbours there (the 15 px its padding reaches), so the two differ:
for a reference CNN trained 3 epochs on 400 simulated patches, max |dp| 0.11, mean 0.009 over
745 windows of a simulated scene; for random weights much more (max 0.6, mean 0.2). Measured in
``tests/backend/test_dense_map.py``.

Off-swath pixels inside a window are filled with the median of the chunk's valid pixels (a cut
patch uses its own median), so a window within 37 px of the swath edge or the scene border gets a
value that depends slightly on the chunking; windows wholly inside the swath do not.
"""

from __future__ import annotations

import math
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dask.array as da
import numpy as np
import rasterio
import torch
from torch import nn

from icesight_contract import BAND_NAMES, PATCH_SIZE_PX, feature_map_side
from icesight_contract.constants import SIGMA0_DB_MAX, SIGMA0_DB_MIN
from icesight_contract.scene_files import NESZ_BAND_SUFFIX

from ..sar.io import RasterBand, write_cog
from ..sar.land import LandMask, LandMaskedBand
from ..sar.readers import noise_band
from .data import THIRD_CHANNELS, Normalisation, third_channel
from .models import ConvNet, ModelSpec, inference_layers
from .outputs import iceberg_presence
from .training import CHANNELS_LAST, LoadedModel, ModelInputMismatch, ProgressFn, StopFn, pick_device

#: Pixels of a window on each side of its centre pixel (a 75 px window is centred at offset 37).
WINDOW_HALF_PX = PATCH_SIZE_PX // 2
#: Band description of the probability raster.
PROBABILITY_BAND = "iceberg_probability"


class DenseMapCancelled(Exception):
    """Raised between chunks when the caller's ``should_stop`` returns True; no output is left."""


class PixelSizeMismatch(ValueError):
    """The scene's pixel size differs from the one the model was trained on."""


class SceneBandMismatch(ValueError):
    """The scene raster does not have the normalised scene layout (co-pol dB, cross-pol dB[, incidence deg])."""


def output_stride(spec: ModelSpec) -> int:
    """Distance in pixels between neighbouring windows of the dense evaluation: the product of the
    kept blocks' max-pool sizes. Only windows whose top-left corner is a multiple of it are
    evaluated exactly; the pixels between them are interpolated."""
    return spec.pool_size ** len(spec.kept_blocks())


def check_pixel_size(scene_pixel_size_m: float, model_pixel_size_m: float | None, tolerance: float = 0.25,
                     model_name: str = "the model") -> None:
    """Refuse a scene whose pixels differ from the model's training patches by more than
    ``tolerance`` (relative): a 75 px window then covers a different area and targets have a
    different size in pixels. ``model_pixel_size_m`` None means unknown: no check."""
    if model_pixel_size_m is None:
        return
    if abs(scene_pixel_size_m - model_pixel_size_m) > tolerance * model_pixel_size_m:
        raise PixelSizeMismatch(
            f"the scene has {scene_pixel_size_m:g} m pixels, {model_name} was trained on {model_pixel_size_m:g} m "
            f"patches: a {PATCH_SIZE_PX} px window would cover {PATCH_SIZE_PX * scene_pixel_size_m / 1000:g} km "
            f"instead of {PATCH_SIZE_PX * model_pixel_size_m / 1000:g} km; resample the scene to "
            f"{model_pixel_size_m:g} m or use a model trained on {scene_pixel_size_m:g} m data"
        )


#: What the map's values are, by the number of network outputs (see :func:`.outputs.iceberg_presence`).
MAP_UNITS = {1: "probability of iceberg rather than ship, 0-1",
             2: "probability of an iceberg (a target, and an iceberg rather than a ship), 0-1"}


class FullyConvolutionalNet(nn.Module):
    """A :class:`ConvNet` applied to every window of a large image at once (eval mode only).

    ``forward(image, inc_map)`` takes a normalised image (N, C, H, W) and the normalised incidence
    of each output cell's window centre (N, H', W'); it returns logits (N, H', W') where cell (i, j)
    belongs to the 75 x 75 window with top-left pixel (S i, S j), S = :attr:`stride_px`, and
    H' = (H - 75) // S + 1 (likewise W').
    """

    def __init__(self, network: ConvNet):
        super().__init__()
        spec = network.spec
        self.spec = spec
        self.stride_px = output_stride(spec)
        features = inference_layers(network.features)
        context_px, stride = 0, 1
        for layer in features:
            if isinstance(layer, nn.Conv2d):
                context_px += layer.padding[0] * stride
            elif isinstance(layer, nn.MaxPool2d):
                kernel = layer.kernel_size if isinstance(layer.kernel_size, int) else layer.kernel_size[0]
                stride *= kernel
            elif not isinstance(layer, nn.ReLU):
                raise TypeError(f"cannot make {type(layer).__name__} in the convolution blocks fully convolutional")
        self.features = nn.Sequential(*features)
        #: Pixels beyond a window that its zero-padded convolutions reach (0 for 'valid' ones):
        #: a chunk is read with this much more context, so windows at a chunk's edge see the same
        #: neighbours as in the chunk next to it and the map has no seams.
        self.context_px = self.stride_px * math.ceil(context_px / self.stride_px)

        side = _feature_side(spec)
        head: list[nn.Module] = []
        first: nn.Linear | None = None
        for layer in network.head:
            if isinstance(layer, nn.Linear) and first is None:
                first = layer
                n_image = layer.in_features - (1 if spec.use_inc_angle else 0)
                channels = n_image // (side * side)
                conv = nn.Conv2d(channels, layer.out_features, side)
                with torch.no_grad():
                    # torch's flatten of (C, s, s) is channel-major, row, column: the same order as a
                    # conv weight's (C, kh, kw).
                    conv.weight.copy_(layer.weight.detach()[:, :n_image].reshape(layer.out_features, channels, side, side))
                    conv.bias.copy_(layer.bias.detach())
                head.append(conv)
                inc_weight = layer.weight.detach()[:, n_image] if spec.use_inc_angle else torch.zeros(layer.out_features)
                self.register_buffer("inc_weight", inc_weight.clone().reshape(1, -1, 1, 1))
            elif isinstance(layer, nn.Linear):
                conv = nn.Conv2d(layer.in_features, layer.out_features, 1)
                with torch.no_grad():
                    conv.weight.copy_(layer.weight.detach()[:, :, None, None])
                    conv.bias.copy_(layer.bias.detach())
                head.append(conv)
            elif isinstance(layer, nn.ReLU):
                head.append(nn.ReLU(inplace=True))
            elif not isinstance(layer, nn.Dropout):
                raise TypeError(f"cannot make {type(layer).__name__} in the head fully convolutional")
        self.head = nn.Sequential(*head)
        self.eval()

    def train(self, mode: bool = True) -> FullyConvolutionalNet:
        if mode:
            raise RuntimeError("a fully convolutional network is for inference only (its batch norm is folded)")
        return super().train(False)

    def output_cells(self, n_px: int) -> int:
        """Windows along an axis of ``n_px`` pixels (the output side)."""
        return (n_px - PATCH_SIZE_PX) // self.stride_px + 1

    def forward(self, image: torch.Tensor, inc_map: torch.Tensor) -> torch.Tensor:
        x = self.features(image)
        x = self.head[0](x)
        cells = x.shape[-2:]
        # 'same' convolutions keep cells for partial windows at the far edge; drop them.
        rows, cols = self.output_cells(image.shape[-2]), self.output_cells(image.shape[-1])
        if cells[0] < rows or cells[1] < cols:
            raise ValueError(f"image {tuple(image.shape[-2:])} gave {tuple(cells)} cells, expected {rows} x {cols}")
        x = x[..., :rows, :cols] + self.inc_weight * inc_map.reshape(x.shape[0], 1, rows, cols).to(x.dtype)
        return self.head[1:](x).squeeze(1)


def _feature_side(spec: ModelSpec) -> int:
    return feature_map_side(spec.architecture, spec.kernel, spec.pool_size, spec.kept_blocks())


def fully_convolutional(network: ConvNet) -> FullyConvolutionalNet:
    """The network as a fully convolutional one (a copy; ``network`` is left as it is)."""
    return FullyConvolutionalNet(network)


@dataclass(frozen=True)
class DenseGrid:
    """Where the evaluated windows lie on the scene grid (all in pixels).

    Window k (along an axis) has its top-left at ``stride_px * k - lead_px`` and its centre at
    ``stride_px * k - lead_px + 37``; ``lead_px`` (a multiple of the stride) puts the first centre
    before pixel 0, so every pixel lies between two window centres. Windows reaching beyond the
    scene see the chunk's median clutter there, as a patch cut at the scene edge does.
    """

    stride_px: int
    context_px: int = 0

    @property
    def lead_px(self) -> int:
        return self.stride_px * (WINDOW_HALF_PX // self.stride_px + 1)

    def centre_px(self, k: int | np.ndarray) -> int | np.ndarray:
        return self.stride_px * k - self.lead_px + WINDOW_HALF_PX

    def position(self, pixel: np.ndarray) -> np.ndarray:
        """Fractional window index whose centre is at ``pixel``."""
        return (pixel - WINDOW_HALF_PX + self.lead_px) / self.stride_px

    def cells_for(self, start_px: int, stop_px: int) -> tuple[int, int]:
        """First and last (inclusive) window needed to interpolate pixels start_px..stop_px - 1."""
        first = (start_px - WINDOW_HALF_PX + self.lead_px) // self.stride_px
        last = (stop_px - 1 - WINDOW_HALF_PX + self.lead_px) // self.stride_px + 1
        return first, last

    def input_span(self, first: int, last: int) -> tuple[int, int]:
        """Pixels (start, stop) to read for windows first..last, with the padding context."""
        start = self.stride_px * first - self.lead_px - self.context_px
        return start, self.stride_px * last - self.lead_px + PATCH_SIZE_PX + self.context_px


@dataclass
class DenseMapResult:
    path: Path
    width_px: int
    height_px: int
    stride_px: int
    chunk_px: int
    n_chunks: int
    seconds: float
    device: str


def _read_window(band: RasterBand, rows: tuple[int, int], cols: tuple[int, int]) -> np.ndarray:
    """Pixels rows x cols of a band as float32, NaN beyond the raster."""
    height, width = band.shape
    out = np.full((rows[1] - rows[0], cols[1] - cols[0]), np.nan, dtype=np.float32)
    r0, r1 = max(rows[0], 0), min(rows[1], height)
    c0, c1 = max(cols[0], 0), min(cols[1], width)
    if r1 > r0 and c1 > c0:
        out[r0 - rows[0] : r1 - rows[0], c0 - cols[0] : c1 - cols[0]] = band[r0:r1, c0:c1]
    return out


def _interpolation(grid: DenseGrid, start_px: int, stop_px: int, first_cell: int) -> tuple[np.ndarray, np.ndarray]:
    """Lower window index (relative to ``first_cell``) and weight of the upper one, per pixel."""
    position = grid.position(np.arange(start_px, stop_px, dtype=np.float64)) - first_cell
    lower = np.floor(position).astype(np.int64)
    return lower, (position - lower).astype(np.float32)


def _check_model(model: LoadedModel) -> list[str]:
    channels = list(model.input_spec.get("channels", []))
    known = set(BAND_NAMES) | set(THIRD_CHANNELS)
    unknown = [c for c in channels if c not in known]
    if unknown or not channels:
        raise ModelInputMismatch(
            f"model expects channels {channels}; a scene provides {', '.join(sorted(known))}"
        )
    if model.input_spec.get("patch_size_px") != PATCH_SIZE_PX:
        raise ModelInputMismatch(
            f"model was trained on {model.input_spec.get('patch_size_px')} px patches, the dense map uses "
            f"{PATCH_SIZE_PX} px windows"
        )
    if list(model.input_spec.get("bands", BAND_NAMES)) != list(BAND_NAMES):
        raise ModelInputMismatch(f"model was trained on bands {model.input_spec.get('bands')}, not {list(BAND_NAMES)}")
    if len(model.normalisation.channel_mean_db) != len(channels):
        raise ModelInputMismatch(
            f"model record has normalisation for {len(model.normalisation.channel_mean_db)} channels, "
            f"its network takes {len(channels)}: the record is inconsistent; retrain or re-register the model"
        )
    return channels


def _channels(co_db: np.ndarray, cross_db: np.ndarray, names: list[str], normalisation: Normalisation) -> np.ndarray:
    """The model's normalised input channels (C, H, W) from filled dB bands."""
    out = np.empty((len(names), *co_db.shape), dtype=np.float32)
    for index, name in enumerate(names):
        if name == "band_1":
            values = co_db
        elif name == "band_2":
            values = cross_db
        else:
            values = third_channel(co_db, cross_db, name)
        out[index] = (values - normalisation.channel_mean_db[index]) / normalisation.channel_std_db[index]
    return out


class _ChunkEvaluator:
    """Evaluates one output chunk: reads its windows' pixels with halo, runs the network, interpolates."""

    def __init__(self, scene_path: Path, model: LoadedModel, network: FullyConvolutionalNet, channels: list[str],
                 device: torch.device, should_stop: StopFn, on_done: Callable[[], None], land: LandMask | None = None):
        with rasterio.open(scene_path) as src:
            count = src.count
        self.bands = [RasterBand(scene_path, b) for b in range(1, min(count, 3) + 1)]
        if land is not None:  # land reads as nodata: left out of the raster and of every window
            self.bands[:2] = [LandMaskedBand(band, land) for band in self.bands[:2]]
        self.normalisation = model.normalisation
        self.network = network
        self.grid = DenseGrid(network.stride_px, network.context_px)
        self.channels = channels
        self.device = device
        self.should_stop = should_stop
        self.on_done = on_done

    def __call__(self, block_info=None) -> np.ndarray:
        (y0, y1), (x0, x1) = block_info[None]["array-location"]
        if self.should_stop():
            raise DenseMapCancelled("the dense map was cancelled")
        result = self.evaluate(y0, y1, x0, x1)
        self.on_done()
        return result

    def evaluate(self, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
        grid = self.grid
        (row_first, row_last), (col_first, col_last) = grid.cells_for(y0, y1), grid.cells_for(x0, x1)
        rows, cols = grid.input_span(row_first, row_last), grid.input_span(col_first, col_last)
        co, cross = (_read_window(band, rows, cols) for band in self.bands[:2])
        valid = np.isfinite(co) & np.isfinite(cross)
        margin_y, margin_x = y0 - rows[0], x0 - cols[0]
        centre_valid = valid[margin_y : margin_y + y1 - y0, margin_x : margin_x + x1 - x0]
        out = np.full((y1 - y0, x1 - x0), np.nan, dtype=np.float32)
        if not centre_valid.any():
            return out
        # Off-swath pixels inside a window get the chunk's median clutter, as a patch cut at the
        # swath edge gets its own (a target must not stand out against a black border).
        filled = [np.clip(np.where(valid, band, np.median(band[valid])), SIGMA0_DB_MIN, SIGMA0_DB_MAX)
                  for band in (co, cross)]
        image = _channels(*filled, self.channels, self.normalisation)
        del co, cross, filled, valid

        # The network's cells include those of the padding context (dropped after it runs).
        stride, skip = grid.stride_px, grid.context_px // grid.stride_px
        n_rows, n_cols = row_last - row_first + 1, col_last - col_first + 1
        cells = (n_rows + 2 * skip, n_cols + 2 * skip)
        if len(self.bands) > 2:
            centres = (rows[0] + WINDOW_HALF_PX, cols[0] + WINDOW_HALF_PX)
            inc_deg = _read_window(self.bands[2], (centres[0], centres[0] + cells[0] * stride),
                                   (centres[1], centres[1] + cells[1] * stride))[::stride, ::stride]
        else:
            inc_deg = np.full(cells, np.nan, dtype=np.float32)
        norm = self.normalisation
        inc = np.where(np.isfinite(inc_deg), inc_deg, norm.inc_fill_deg)
        inc = ((inc - norm.inc_mean_deg) / norm.inc_std_deg).astype(np.float32)

        with torch.inference_mode():
            x = torch.from_numpy(image)[None].to(self.device).contiguous(memory_format=CHANNELS_LAST)
            logits = self.network(x, torch.from_numpy(inc)[None].to(self.device))[0]
            logits = logits[..., skip : skip + n_rows, skip : skip + n_cols]
            probability = iceberg_presence(logits, self.network.spec.n_outputs).float().cpu().numpy()
        del image, x

        row_lower, row_weight = _interpolation(grid, y0, y1, row_first)
        col_lower, col_weight = _interpolation(grid, x0, x1, col_first)
        by_rows = probability[row_lower] * (1 - row_weight)[:, None] + probability[row_lower + 1] * row_weight[:, None]
        dense = by_rows[:, col_lower] * (1 - col_weight) + by_rows[:, col_lower + 1] * col_weight
        out[centre_valid] = dense[centre_valid]
        return out


def probability_map(
    scene_path: Path | str,
    model: LoadedModel,
    out_path: Path | str,
    *,
    chunk_px: int = 2048,
    tags: dict[str, str] | None = None,
    model_pixel_size_m: float | None = None,
    progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    device: torch.device | str | None = None,
    num_workers: int | None = None,
    land: LandMask | None = None,
) -> DenseMapResult:
    """Write the per-pixel iceberg probability of a normalised scene COG as a float32 COG.

    The scene (band 1 co-pol dB, band 2 cross-pol dB, optional band 3 incidence in degrees, NaN
    off the swath) is read chunk by chunk; each output chunk of ``chunk_px`` (rounded to the
    stride) reads its pixels plus the 75 px window's halo and the padding context, builds the
    model's channels, and evaluates the network fully convolutionally (see the module docstring).
    Chunks are Dask tasks run on local threads (``num_workers``), computed one row band at a time
    and streamed into the COG, so memory is bounded by a row band of output plus the chunks in
    flight (GDAL's block cache comes on top while the COG is made: 5 % of the RAM unless
    ``GDAL_CACHEMAX`` says otherwise). The output is NaN wherever the pixel itself has no data.
    ``model_pixel_size_m``, when known, is checked against the scene's (:func:`check_pixel_size`).
    ``should_stop`` is asked before every chunk (then :class:`DenseMapCancelled`, and no file is
    written); ``progress`` gets the fraction of chunks done (called from the Dask threads, one at
    a time). ``land`` (:class:`~..sar.land.LandMask` of the scene) is read as nodata.
    """
    scene_path, out_path = Path(scene_path), Path(out_path)
    started = time.perf_counter()
    progress = progress or (lambda fraction, message: None)
    should_stop = should_stop or (lambda: False)
    channels = _check_model(model)
    with rasterio.open(scene_path) as src:
        if not (src.count in (2, 3) or (src.count == 4 and noise_band(src.descriptions) == 4)):
            raise SceneBandMismatch(
                f"{scene_path.name} has {src.count} band(s); a scene for the dense map has band 1 co-pol sigma0 dB, "
                f"band 2 cross-pol sigma0 dB, optionally band 3 incidence angle in degrees and band 4 the cross-pol "
                f"noise floor (described '<cross>{NESZ_BAND_SUFFIX}')"
            )
        height, width, crs, transform = src.height, src.width, src.crs, src.transform
    check_pixel_size(abs(transform.a), model_pixel_size_m, model_name=(tags or {}).get("model_id", "the model"))

    device = torch.device(device) if device is not None else pick_device()
    network = fully_convolutional(model.network).to(device, memory_format=CHANNELS_LAST)
    stride = network.stride_px
    chunk_px = max(stride, chunk_px // stride * stride)
    row_chunks = tuple(min(chunk_px, height - r) for r in range(0, height, chunk_px))
    col_chunks = tuple(min(chunk_px, width - c) for c in range(0, width, chunk_px))
    n_chunks = len(row_chunks) * len(col_chunks)
    lock, done = threading.Lock(), [0]

    def on_done() -> None:
        with lock:
            done[0] += 1
            progress(done[0] / n_chunks, f"dense map: {done[0]} of {n_chunks} chunks")

    evaluator = _ChunkEvaluator(scene_path, model, network, channels, device, should_stop, on_done, land)
    dense = da.map_blocks(evaluator, chunks=(row_chunks, col_chunks), dtype=np.float32,
                          meta=np.empty((0, 0), dtype=np.float32), name=f"dense-probability-{uuid.uuid4().hex}")

    def row_bands() -> Iterator[tuple[int, np.ndarray]]:
        for r0 in range(0, height, chunk_px):
            if should_stop():
                raise DenseMapCancelled("the dense map was cancelled")
            yield r0, dense[r0 : r0 + chunk_px].compute(scheduler="threads", num_workers=num_workers)

    all_tags = {"model_id": "unknown", "stride_px": str(stride), "window_px": str(PATCH_SIZE_PX),
                "interpolation": "bilinear", "units": MAP_UNITS[network.spec.n_outputs], **(tags or {})}
    # Written beside the target and renamed at the end: a cancelled or failed map leaves no file.
    partial = out_path.with_name(f".{out_path.name}.partial")
    try:
        write_cog(partial, (height, width), crs, transform, (PROBABILITY_BAND,), row_bands(), all_tags)
        os.replace(partial, out_path)
    finally:
        partial.unlink(missing_ok=True)
    return DenseMapResult(out_path, width, height, stride, chunk_px, n_chunks, time.perf_counter() - started, str(device))
