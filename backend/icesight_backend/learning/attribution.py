"""Why the CNN called a patch ship or iceberg: Captum attributions of the iceberg probability the
service actually returns, onto the two source bands (HH and HV sigma0 in dB) and the incidence angle.

What is explained is :class:`ServedProbability`: the probability averaged over the 8 dihedral views
(the test-time augmentation of :func:`~.training.predict_probabilities`), as a function of HH dB,
HV dB and the incidence angle in degrees. The model's derived third channel (mean, difference or
magnitude of the two bands) is computed inside it, so whatever the network drew from that channel is
folded back onto HH and HV by the chain rule, and normalisation is inside it too, so attributions are
per dB and per degree of the physical input. Sign: positive pushes towards iceberg, negative towards
ship; attribution methods that sum to a change of output are in units of probability.

This module knows nothing of jobs or HTTP; the job layer calls :func:`explain` and converts the
pixel offsets of :class:`AttributionSummary` to metres with the scene's pixel size.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from icesight_contract import BAND_NAMES, PATCH_SIZE_PX, AttributionMethod
from icesight_contract.inference import ATTRIBUTION_LIMITS, occlusion_stride_problem

from .data import PatchArrays
from .outputs import iceberg_logit
from .training import (
    CHANNELS_LAST,
    DIHEDRAL,
    LoadedModel,
    ModelInputMismatch,
    ProgressFn,
    StopFn,
    pick_device,
)


class AttributionCancelled(Exception):
    """Raised between batches of :func:`explain` when the caller asked to stop."""


#: Width of the outer border ring whose median is a patch's own clutter level (the reference input).
CLUTTER_RING_PX = 8
#: Side of the box filter applied to |attribution| before its peak is taken as the top region.
TOP_REGION_SMOOTHING_PX = 5
#: Allowed ranges (inclusive) of :func:`explain`'s numeric parameters: the contract's, so that a job
#: and a direct call accept the same settings.
N_STEPS_RANGE = ATTRIBUTION_LIMITS["n_steps"]
INTERNAL_BATCH_SIZE_RANGE = ATTRIBUTION_LIMITS["internal_batch_size"]
N_SAMPLES_RANGE = ATTRIBUTION_LIMITS["n_samples"]
OCCLUSION_WINDOW_RANGE_PX = ATTRIBUTION_LIMITS["occlusion_window_px"]
#: Robust spread (1.4826 x MAD) of a ring below this is taken as this, in dB (a flat synthetic border).
MIN_CLUTTER_SPREAD_DB = 0.1
#: Patch centre in pixel coordinates (row = col), the origin of the top region's offset.
PATCH_CENTRE_PX = (PATCH_SIZE_PX - 1) / 2.0

HH_NAME, HV_NAME = BAND_NAMES

#: Each model input channel as a function of HH and HV in dB, in torch so gradients flow through the
#: derived channel. Must agree with :func:`.data.third_channel` (a test checks it).
CHANNEL_FROM_BANDS_DB: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    HH_NAME: lambda hh, hv: hh,
    HV_NAME: lambda hh, hv: hv,
    "band_avg": lambda hh, hv: (hh + hv) / 2.0,
    "band_diff": lambda hh, hv: hh - hv,
    "band_mag": lambda hh, hv: torch.sqrt(hh**2 + hv**2),
}


# --------------------------------------------------------------------------------------------------
# The function that is explained
# --------------------------------------------------------------------------------------------------


def to_view(images: torch.Tensor, view: tuple[int, bool]) -> torch.Tensor:
    """One dihedral view of (n, c, h, w) images, exactly as :func:`.training.predict_probabilities` makes it."""
    k, flip = view
    return torch.rot90(images.flip(3) if flip else images, k, dims=(2, 3))


def from_view(images: torch.Tensor, view: tuple[int, bool]) -> torch.Tensor:
    """The inverse of :func:`to_view`: a map computed in a view's orientation, back in the patch's."""
    k, flip = view
    back = torch.rot90(images, -k, dims=(2, 3))
    return back.flip(3) if flip else back


class ServedProbability(nn.Module):
    """The iceberg probability as served: ``forward(bands_db (n, 2, 75, 75), inc_deg (n,)) -> (n,)``.

    ``bands_db`` holds HH then HV sigma0 in dB. Inside: the model's channels from the two bands, the
    stored normalisation, an unknown (NaN) incidence replaced by the training fill, then the sigmoid
    of the network averaged over the 8 dihedral views (``tta=True``) or on the patch as it is.

    With ``tta`` the function is invariant under flips and quarter turns of the patch, so gradient
    attributions of a turned patch are the turned attributions. A single view is not: LeNet's 'valid'
    convolutions and floor pooling drop the last rows and columns, and nothing in training makes the
    weights symmetric, so a single-view explanation of the same target changes with its orientation.
    """

    def __init__(self, model: LoadedModel, tta: bool = True):
        super().__init__()
        self.network = model.network
        self.channels = [str(c) for c in model.input_spec.get("channels", ())]
        unknown = [c for c in self.channels if c not in CHANNEL_FROM_BANDS_DB]
        if unknown or not self.channels:
            raise ModelInputMismatch(
                f"model channels {self.channels} cannot be built from {HH_NAME} and {HV_NAME}; "
                f"known channels: {', '.join(CHANNEL_FROM_BANDS_DB)}"
            )
        norm = model.normalisation
        if len(norm.channel_mean_db) != len(self.channels):
            raise ModelInputMismatch(
                f"model record has normalisation for {len(norm.channel_mean_db)} channels, its network takes "
                f"{len(self.channels)}: the record is inconsistent; retrain or re-register the model"
            )
        self.register_buffer("channel_mean_db", torch.tensor(norm.channel_mean_db, dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("channel_std_db", torch.tensor(norm.channel_std_db, dtype=torch.float32).view(1, -1, 1, 1))
        self.inc_mean_deg = float(norm.inc_mean_deg)
        self.inc_std_deg = float(norm.inc_std_deg)
        self.inc_fill_deg = float(norm.inc_fill_deg)
        self.views: list[tuple[int, bool]] = list(DIHEDRAL) if tta else [(0, False)]
        # A module, not torch.sigmoid, so that DeepLIFT applies its rescale rule to it.
        self.sigmoid = nn.Sigmoid()

    def network_input(self, bands_db: torch.Tensor, inc_deg: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Normalised channels (patch orientation) and normalised incidence, as the network was trained on."""
        hh, hv = bands_db[:, 0], bands_db[:, 1]
        images = torch.stack([CHANNEL_FROM_BANDS_DB[c](hh, hv) for c in self.channels], dim=1)
        images = (images - self.channel_mean_db) / self.channel_std_db
        inc_deg = torch.where(torch.isnan(inc_deg), torch.full_like(inc_deg, self.inc_fill_deg), inc_deg)
        return images, (inc_deg - self.inc_mean_deg) / self.inc_std_deg

    def view_probability(self, images: torch.Tensor, inc: torch.Tensor, view: tuple[int, bool]) -> torch.Tensor:
        x = to_view(images, view).contiguous(memory_format=CHANNELS_LAST)
        return self.sigmoid(self._iceberg_logit(self.network(x, inc))) + self._unused(inc)

    def forward(self, bands_db: torch.Tensor, inc_deg: torch.Tensor) -> torch.Tensor:
        images, inc = self.network_input(bands_db, inc_deg)
        # All views in one batch: one network call of 8n runs faster than 8 calls of n (oneDNN on a CPU).
        views = torch.cat([to_view(images, view) for view in self.views]).contiguous(memory_format=CHANNELS_LAST)
        logits = self._iceberg_logit(self.network(views, inc.repeat(len(self.views))))
        return self.sigmoid(logits).view(len(self.views), -1).mean(dim=0) + self._unused(inc)

    def _iceberg_logit(self, outputs: torch.Tensor) -> torch.Tensor:
        """What is explained is the ship/iceberg decision, P(iceberg | target) (see :mod:`.outputs`)."""
        return iceberg_logit(outputs, self.network.spec.n_outputs)

    @staticmethod
    def _unused(inc: torch.Tensor) -> torch.Tensor:
        """Zero that depends on the incidence: a model trained without it (ablation) then gets an angle
        attribution of exactly 0 instead of a Captum error about an input not in the graph."""
        return 0.0 * inc


class _SingleView(nn.Module):
    """The probability of one dihedral view, divided by the number of views: summed over the views it
    is :class:`ServedProbability`. Captum's DeepLIFT stores per-module state in hooks, so each module may
    run once per forward; and GradCAM's layer map is per view."""

    def __init__(self, served: ServedProbability, view: tuple[int, bool]):
        super().__init__()
        self.served = served
        self.view = view

    def forward(self, bands_db: torch.Tensor, inc_deg: torch.Tensor) -> torch.Tensor:
        images, inc = self.served.network_input(bands_db, inc_deg)
        return self.served.view_probability(images, inc, self.view) / len(self.served.views)


class _ClutterReferenced(nn.Module):
    """The served probability with the bands written as ``clutter_db + spread_db * z``. GradientSHAP's
    baselines must be one distribution shared by all inputs, while ours is each patch's own sea: in z
    the reference is the same for every patch (0 plus unit speckle-like noise). Attributions on z equal
    those on the bands in dB: (z - z_b) * dp/dz = (x - b) * dp/dx."""

    def __init__(self, served: ServedProbability):
        super().__init__()
        self.served = served

    def forward(self, z: torch.Tensor, inc_deg: torch.Tensor, clutter_db: torch.Tensor, spread_db: torch.Tensor) -> torch.Tensor:
        return self.served(clutter_db + spread_db * z, inc_deg)


# --------------------------------------------------------------------------------------------------
# Reference input: the patch's own sea
# --------------------------------------------------------------------------------------------------


def _ring(bands_db: np.ndarray, ring_px: int) -> np.ndarray:
    """The outer border ring of each band as (n, bands, pixels)."""
    side = bands_db.shape[-1]
    mask = np.ones((side, side), dtype=bool)
    mask[ring_px : side - ring_px, ring_px : side - ring_px] = False
    return bands_db[..., mask]


def clutter_level_db(bands_db: np.ndarray, ring_px: int = CLUTTER_RING_PX) -> np.ndarray:
    """Per patch and band, the median sigma0 in dB of the outer ``ring_px`` border: (n, bands).

    The patch is cut around the target, so its border is the sea (or ice) the target sits in; the
    median ignores a neighbour's bright pixels in the ring."""
    return np.median(_ring(bands_db, ring_px), axis=-1).astype(np.float32)


def clutter_spread_db(bands_db: np.ndarray, ring_px: int = CLUTTER_RING_PX) -> np.ndarray:
    """Per patch and band, the robust spread (1.4826 x median absolute deviation) of the ring, in dB."""
    ring = _ring(bands_db, ring_px)
    mad = np.median(np.abs(ring - np.median(ring, axis=-1, keepdims=True)), axis=-1)
    return np.maximum(1.4826 * mad, MIN_CLUTTER_SPREAD_DB).astype(np.float32)


def clutter_baseline_db(bands_db: np.ndarray, ring_px: int = CLUTTER_RING_PX) -> np.ndarray:
    """The reference input "the same sea with no target": each band filled with its ring median.

    Why not 0 dB or the training mean: 0 dB (sigma0 = 1) is as bright as a large ship or iceberg in
    SAR, so a 0 dB reference explains the contrast with a bright target, not the target; the training
    mean mixes every training scene's sea state and incidence into each explanation and is nothing a
    sensor would see. Against the patch's own clutter an attribution answers the analyst's question:
    what in this patch, beyond its sea, made the call.
    """
    level = clutter_level_db(bands_db, ring_px)
    return np.broadcast_to(level[:, :, None, None], bands_db.shape).astype(np.float32)


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodTraits:
    """What a method's numbers mean, so summaries compare like with like."""

    per_band: bool  # separate HH and HV maps (GradCAM has one spatial map)
    angle: bool  # an attribution of the incidence angle
    additive: bool  # values are contributions in probability that can be shared out (not sensitivities)
    units: str


METHOD_TRAITS: dict[AttributionMethod, MethodTraits] = {
    AttributionMethod.INTEGRATED_GRADIENTS: MethodTraits(True, True, True, "probability"),
    AttributionMethod.GRADIENT_SHAP: MethodTraits(True, True, True, "probability"),
    AttributionMethod.DEEPLIFT: MethodTraits(True, True, True, "probability"),
    AttributionMethod.OCCLUSION: MethodTraits(True, True, True, "probability change per occluding window"),
    AttributionMethod.SALIENCY: MethodTraits(True, True, False, "|probability per dB|, angle |probability per degree|"),
    AttributionMethod.GRADCAM: MethodTraits(False, False, False, "relative (+ iceberg, - ship evidence)"),
}


@dataclass(frozen=True)
class AttributionSummary:
    """One patch's attribution in a few numbers.

    Shares are of the summed |attribution|; NaN where the method cannot give them (GradCAM has no band
    split; saliency's angle value is per degree, not comparable with per-dB pixels). The top region is
    the peak of the |total| map after a ``TOP_REGION_SMOOTHING_PX`` box filter; its offset from the patch
    centre is in pixels, positive columns to the east and positive rows to the south for a north-up
    patch (the job layer multiplies by the pixel size for metres).
    """

    hh_share: float
    hv_share: float
    inc_angle: float
    inc_angle_share: float
    top_row_px: int
    top_col_px: int
    top_offset_col_px: float
    top_offset_row_px: float


@dataclass
class PatchAttributions:
    """Attributions of ``n`` patches by one method; maps are (n, 75, 75) float32 in the patch's orientation.

    ``hh`` and ``hv`` are per-pixel attributions to each band (NaN for GradCAM), ``total`` their sum
    (GradCAM: its one map). ``inc_angle`` is the angle's attribution (NaN for GradCAM); where the angle
    was unknown (``inc_angle_known`` False) it is that of the training fill value. ``probability`` is
    the served probability of each patch; ``convergence_delta`` the method's completeness error
    (sum of attributions minus the change of probability from the reference; None where the method has
    none). ``tta``: whether the 8-view average was explained.
    """

    method: AttributionMethod
    ids: list[str]
    hh: np.ndarray
    hv: np.ndarray
    total: np.ndarray
    inc_angle: np.ndarray
    probability: np.ndarray
    convergence_delta: np.ndarray | None
    inc_angle_known: np.ndarray
    tta: bool

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def traits(self) -> MethodTraits:
        return METHOD_TRAITS[self.method]

    def summary(self, index: int) -> AttributionSummary:
        return summarise(self, index)

    def summaries(self) -> list[AttributionSummary]:
        return [summarise(self, i) for i in range(len(self))]


def summarise(attributions: PatchAttributions, index: int, smoothing_px: int = TOP_REGION_SMOOTHING_PX) -> AttributionSummary:
    """The band shares, the angle's part and the top region of one patch (see :class:`AttributionSummary`)."""
    from scipy.ndimage import uniform_filter

    traits = attributions.traits
    nan = float("nan")
    hh_share = hv_share = angle_share = nan
    angle = float(attributions.inc_angle[index])
    if traits.per_band:
        hh_abs = float(np.abs(attributions.hh[index]).sum(dtype=np.float64))
        hv_abs = float(np.abs(attributions.hv[index]).sum(dtype=np.float64))
        bands = hh_abs + hv_abs
        if bands > 0:
            hh_share, hv_share = hh_abs / bands, hv_abs / bands
        if traits.additive and traits.angle and bands + abs(angle) > 0:
            angle_share = abs(angle) / (bands + abs(angle))
    smoothed = uniform_filter(np.abs(attributions.total[index]).astype(np.float64), size=smoothing_px, mode="nearest")
    row, col = np.unravel_index(int(np.argmax(smoothed)), smoothed.shape)
    return AttributionSummary(hh_share, hv_share, angle, angle_share, int(row), int(col),
                              float(col - PATCH_CENTRE_PX), float(row - PATCH_CENTRE_PX))


# --------------------------------------------------------------------------------------------------
# The methods: one function per method, one table row each
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    n_steps: int
    internal_batch_size: int
    tta: bool
    occlusion_window_px: int
    occlusion_stride_px: int
    n_samples: int
    seed: int


@dataclass
class _Batch:
    """One chunk of patches on the device: bands in dB, incidence in degrees (filled), and the reference."""

    bands_db: torch.Tensor  # (n, 2, 75, 75)
    inc_deg: torch.Tensor  # (n,)
    baseline_db: torch.Tensor  # (n, 2, 75, 75): the clutter level
    baseline_inc_deg: torch.Tensor  # (n,): the training mean incidence
    clutter_db: torch.Tensor  # (n, 2, 1, 1)
    spread_db: torch.Tensor  # (n, 2, 1, 1)
    seed: int  # this chunk's seed


@dataclass
class _Raw:
    bands: torch.Tensor  # (n, 2, 75, 75), or (n, 1, 75, 75) for a single map
    inc: torch.Tensor | None  # (n,)
    delta: torch.Tensor | None  # (n,)


def _integrated_gradients(served: ServedProbability, batch: _Batch, settings: _Settings) -> _Raw:
    """Integrated Gradients from the patch's own clutter (and the training mean incidence) to the patch."""
    from captum.attr import IntegratedGradients

    (bands, inc), delta = IntegratedGradients(served).attribute(
        (batch.bands_db, batch.inc_deg), baselines=(batch.baseline_db, batch.baseline_inc_deg),
        n_steps=settings.n_steps, internal_batch_size=settings.internal_batch_size, return_convergence_delta=True,
    )
    return _Raw(bands, inc, delta)


def _saliency(served: ServedProbability, batch: _Batch, settings: _Settings) -> _Raw:
    """|dp/dx| at the patch: a sensitivity (per dB, per degree), unsigned, with no reference."""
    from captum.attr import Saliency

    bands, inc = Saliency(served).attribute(_requiring_grad(batch), abs=True)
    return _Raw(bands, inc, None)


def _gradient_shap(served: ServedProbability, batch: _Batch, settings: _Settings) -> _Raw:
    """GradientSHAP (expected gradients) over references "the patch's sea with fresh speckle": each band
    at its ring median plus Gaussian noise at the ring's own robust spread, the angle at the training
    mean. The convergence delta is the mean over the samples (it is zero only in expectation)."""
    from captum.attr import GradientShap

    n = len(batch.bands_db)
    device = batch.bands_db.device
    generator = torch.Generator().manual_seed(batch.seed)
    noise = torch.randn((settings.n_samples, *batch.bands_db.shape[1:]), generator=generator).to(device)
    z_input = (batch.bands_db - batch.clutter_db) / batch.spread_db
    inc_reference = batch.baseline_inc_deg[:1].expand(settings.n_samples).contiguous()
    with _seeded_global_rngs(batch.seed, device):
        (z_attr, inc), delta = GradientShap(_ClutterReferenced(served)).attribute(
            (z_input, batch.inc_deg), baselines=(noise, inc_reference), n_samples=settings.n_samples, stdevs=0.0,
            additional_forward_args=(batch.clutter_db, batch.spread_db), return_convergence_delta=True,
        )
    return _Raw(z_attr, inc, delta.view(n, settings.n_samples).mean(dim=1))


def _deeplift(served: ServedProbability, batch: _Batch, settings: _Settings) -> _Raw:
    """DeepLIFT (rescale rule) from the clutter reference, one Captum run per dihedral view.

    Captum keeps each non-linear module's input in the module during a run, so a module may run only
    once per forward: the 8-view average cannot go through in one run. The average is linear, so the
    DeepLIFT of the average is the average of the per-view DeepLIFTs (each view's transform is inside
    its forward, so its attributions already come back in the patch's orientation); summation to delta
    holds for the average. The derived channel band_mag (a square root) gets plain gradients, as
    Captum only rescales the non-linear modules it knows.
    """
    import warnings

    from captum.attr import DeepLift

    bands = inc = delta = None
    for view in served.views:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Setting forward, backward hooks", category=UserWarning)
            (b, a), d = DeepLift(_SingleView(served, view)).attribute(
                _requiring_grad(batch), baselines=(batch.baseline_db, batch.baseline_inc_deg),
                return_convergence_delta=True,
            )
        bands, inc, delta = (b, a, d) if bands is None else (bands + b, inc + a, delta + d)
    return _Raw(bands, inc, delta)


def _gradcam(served: ServedProbability, batch: _Batch, settings: _Settings) -> _Raw:
    """GradCAM of the predicted class on the rectified activations of the last convolution block
    (before its pooling: the finest map of that block), registered onto the patch's pixels.

    Sign: the signed map S = sum_k alpha_k A_k is mostly negative over plain clutter (activations
    whose weights argue against iceberg), so, as classical GradCAM does with its ReLU, only the
    evidence for the predicted class is kept: max(S, 0) where the served probability is >= 0.5
    (iceberg evidence, positive) and min(S, 0) where it is below (ship evidence: the GradCAM of
    1 - p, negative), keeping the module's sign convention. Units are relative.

    Placement: each map pixel sits where its receptive field is centred (traced through the
    convolutions and poolings), not stretched edge to edge as Captum's plain bilinear
    ``LayerAttribution.interpolate`` would: LeNet's 13 x 13 map covers input pixels 11.5 to 59.5
    only, and stretching it would move an off-centre hot spot by up to about 12 px (480 m at 40 m).

    TTA: the 8 views' layers are one layer of the served function; each view's S is computed in that
    view, registered, turned back into the patch's orientation and averaged before the class clip.
    """
    from captum.attr import LayerGradCam

    layer, start_px, step_px = _gradcam_layer(served.network)
    signed = None
    for view in served.views:
        layer_map = LayerGradCam(_SingleView(served, view), layer).attribute(
            (batch.bands_db, batch.inc_deg), relu_attributions=False
        )
        patch_map = from_view(_register_on_patch(layer_map * len(served.views), start_px, step_px), view)
        signed = patch_map if signed is None else signed + patch_map
    signed = signed / len(served.views)
    with torch.no_grad():
        iceberg = (served(batch.bands_db, batch.inc_deg) >= 0.5).view(-1, 1, 1, 1)
    return _Raw(torch.where(iceberg, signed.clamp(min=0), signed.clamp(max=0)), None, None)


def _occlusion(served: ServedProbability, batch: _Batch, settings: _Settings) -> _Raw:
    """Occlusion: a window of one band at a time replaced by the clutter level (so HH and HV get their own
    maps), and the angle replaced by the training mean; each pixel gets the mean probability drop of the
    windows covering it."""
    from captum.attr import Occlusion

    window, stride = settings.occlusion_window_px, settings.occlusion_stride_px
    n = len(batch.bands_db)
    bands, inc = Occlusion(lambda b, a: served(b, a[:, 0])).attribute(
        (batch.bands_db, batch.inc_deg[:, None]),
        sliding_window_shapes=((1, window, window), (1,)), strides=((1, stride, stride), (1,)),
        baselines=(batch.baseline_db, batch.baseline_inc_deg[:, None]),
        perturbations_per_eval=max(1, settings.internal_batch_size // n),
    )
    return _Raw(bands, inc[:, 0], None)


_ATTRIBUTORS: dict[AttributionMethod, Callable[[ServedProbability, _Batch, _Settings], _Raw]] = {
    AttributionMethod.INTEGRATED_GRADIENTS: _integrated_gradients,
    AttributionMethod.SALIENCY: _saliency,
    AttributionMethod.GRADCAM: _gradcam,
    AttributionMethod.OCCLUSION: _occlusion,
    AttributionMethod.GRADIENT_SHAP: _gradient_shap,
    AttributionMethod.DEEPLIFT: _deeplift,
}


def _requiring_grad(batch: _Batch) -> tuple[torch.Tensor, torch.Tensor]:
    """The inputs as fresh leaves that require gradients (Captum warns, and sets it, otherwise)."""
    return batch.bands_db.detach().requires_grad_(), batch.inc_deg.detach().requires_grad_()


def _patches_per_chunk(method: AttributionMethod, settings: _Settings) -> int:
    """Patches per Captum call, so that one forward pass holds about ``internal_batch_size`` inputs."""
    per_patch = {
        AttributionMethod.INTEGRATED_GRADIENTS: settings.n_steps,
        AttributionMethod.GRADIENT_SHAP: settings.n_samples,
    }.get(method, 1)
    return max(1, settings.internal_batch_size // per_patch)


@contextlib.contextmanager
def _seeded_global_rngs(seed: int, device: torch.device) -> Iterator[None]:
    """Captum's GradientSHAP draws from NumPy's and torch's global generators: seed them for the call
    and give the caller's state back afterwards."""
    state = np.random.get_state()
    devices = [device] if device.type == "cuda" else []
    try:
        with torch.random.fork_rng(devices=devices):
            np.random.seed(seed)
            torch.manual_seed(seed)
            yield
    finally:
        np.random.set_state(state)


def _gradcam_layer(network: nn.Module) -> tuple[nn.Module, float, float]:
    """The last ReLU of ``network.features`` and the grid of its map on the patch: the input pixel (row
    or column, centre of the receptive field) of map index 0, and the pixels between map indices."""
    features = getattr(network, "features", None)
    layers = list(features) if isinstance(features, nn.Sequential) else []
    relus = [i for i, module in enumerate(layers) if isinstance(module, nn.ReLU)]
    if not relus:
        raise ValueError("method 'gradcam' needs a network with at least one convolution block (network.features)")
    start_px, step_px = 0.0, 1.0
    for module in layers[: relus[-1] + 1]:
        if isinstance(module, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            kernel = _first(module.kernel_size)
            stride = _first(module.stride) if module.stride is not None else kernel
            padding = _first(module.padding) if not isinstance(module.padding, str) else (kernel - 1) // 2
            dilation = _first(getattr(module, "dilation", 1))
            start_px += ((kernel - 1) * dilation / 2.0 - padding) * step_px
            step_px *= stride
    return layers[relus[-1]], start_px, step_px


def _first(value: int | tuple[int, ...]) -> int:
    return int(value[0]) if isinstance(value, tuple) else int(value)


def _register_on_patch(layer_map: torch.Tensor, start_px: float, step_px: float) -> torch.Tensor:
    """Bilinear resampling of (n, 1, h, w) layer maps onto the 75 x 75 patch grid, each map pixel at the
    centre of its receptive field; beyond the outermost centres the edge value is kept."""
    n, _, height, width = layer_map.shape
    pixels = torch.arange(PATCH_SIZE_PX, dtype=layer_map.dtype, device=layer_map.device)
    index = (pixels - start_px) / step_px

    def normalised(size: int) -> torch.Tensor:
        return index / (size - 1) * 2 - 1 if size > 1 else torch.zeros_like(index)

    rows, cols = torch.meshgrid(normalised(height), normalised(width), indexing="ij")
    grid = torch.stack([cols, rows], dim=-1).unsqueeze(0).expand(n, -1, -1, -1)
    return nn.functional.grid_sample(layer_map, grid, mode="bilinear", padding_mode="border", align_corners=True)


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= int(value) <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def _check_settings(
    n_steps: int, internal_batch_size: int, tta: bool, occlusion_window_px: int, occlusion_stride_px: int,
    n_samples: int, seed: int,
) -> _Settings:
    n_steps = _check_int("n_steps", n_steps, *N_STEPS_RANGE)
    internal_batch_size = _check_int("internal_batch_size", internal_batch_size, *INTERNAL_BATCH_SIZE_RANGE)
    n_samples = _check_int("n_samples", n_samples, *N_SAMPLES_RANGE)
    window = _check_int("occlusion_window_px", occlusion_window_px, *OCCLUSION_WINDOW_RANGE_PX)
    stride = _check_int("occlusion_stride_px", occlusion_stride_px, 1, window)
    problem = occlusion_stride_problem(window, stride)  # untiled windows also break the flip symmetry
    if problem:
        raise ValueError(f"occlusion_stride_px {problem}")
    seed = _check_int("seed", seed, 0, 2**32 - 1)
    if not isinstance(tta, (bool, np.bool_)):
        raise ValueError(f"tta must be True or False, got {tta!r}")
    return _Settings(n_steps, internal_batch_size, bool(tta), window, stride, n_samples, seed)


def _check_method(method: AttributionMethod | str) -> AttributionMethod:
    try:
        return AttributionMethod(method)
    except ValueError:
        known = ", ".join(m.value for m in AttributionMethod)
        raise ValueError(f"method {method!r} is not one of {known}") from None


def _source_bands_db(arrays: PatchArrays) -> np.ndarray:
    """HH and HV in dB as (n, 2, 75, 75), found by channel name."""
    missing = [b for b in (HH_NAME, HV_NAME) if b not in arrays.channels]
    if missing:
        raise ModelInputMismatch(
            f"arrays have channels {list(arrays.channels)}; attributions need the source bands {HH_NAME} (HH) "
            f"and {HV_NAME} (HV) in dB, missing {missing}"
        )
    if arrays.images.shape[2:] != (PATCH_SIZE_PX, PATCH_SIZE_PX):
        raise ModelInputMismatch(f"patches must be {PATCH_SIZE_PX} x {PATCH_SIZE_PX} px, got {arrays.images.shape[2:]}")
    index = [arrays.channels.index(HH_NAME), arrays.channels.index(HV_NAME)]
    bands = np.ascontiguousarray(arrays.images[:, index], dtype=np.float32)
    if not np.isfinite(bands).all():
        raise ValueError("arrays.images holds NaN or infinite sigma0; attributions need finite dB values")
    return bands


def explain(
    model: LoadedModel,
    arrays: PatchArrays,
    method: AttributionMethod | str,
    *,
    n_steps: int = 50,
    internal_batch_size: int = 64,
    tta: bool = True,
    occlusion_window_px: int = 15,
    occlusion_stride_px: int = 10,
    n_samples: int = 20,
    seed: int = 0,
    device: torch.device | str | None = None,
    progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> PatchAttributions:
    """Attributions of the served iceberg probability of each patch, computed in chunks.

    ``arrays`` must hold the bands ``band_1`` (HH) and ``band_2`` (HV) in dB; the model's other channels
    are derived from them inside :class:`ServedProbability`. ``internal_batch_size`` is the number of
    patch evaluations per forward pass (each is 8 network evaluations with ``tta``): integrated gradients
    steps, GradientSHAP samples, occlusion perturbations or whole patches. ``n_steps`` is for integrated
    gradients, ``n_samples`` for GradientSHAP, ``occlusion_*`` for occlusion (the windows must tile the
    patch exactly). Deterministic given ``seed`` and ``internal_batch_size`` (on one device).
    ``progress(fraction, message)`` is called after each chunk and ``should_stop()`` before each;
    stopping raises :class:`AttributionCancelled`.

    References (see :func:`clutter_baseline_db`): each band at its ring median and the angle at the
    model's training mean incidence, so the angle's attribution says how much the angle being off the
    training mid-swath moved the probability.
    """
    method = _check_method(method)
    settings = _check_settings(n_steps, internal_batch_size, tta, occlusion_window_px, occlusion_stride_px,
                               n_samples, seed)
    served = ServedProbability(model, tta=settings.tta)
    bands_db = _source_bands_db(arrays)
    inc_known = np.isfinite(arrays.inc_angle_deg)
    inc_deg = np.where(inc_known, arrays.inc_angle_deg, served.inc_fill_deg).astype(np.float32)
    device = torch.device(device) if device is not None else pick_device()
    progress = progress or (lambda fraction, message: None)
    should_stop = should_stop or (lambda: False)

    served.to(device).eval()
    n = len(arrays)
    traits = METHOD_TRAITS[method]
    hh = np.full((n, PATCH_SIZE_PX, PATCH_SIZE_PX), np.nan, np.float32)
    hv, total = hh.copy(), hh.copy()
    inc_attr = np.full(n, np.nan, np.float32)
    probability = np.empty(n, np.float32)
    has_delta = method in (AttributionMethod.INTEGRATED_GRADIENTS, AttributionMethod.GRADIENT_SHAP,
                           AttributionMethod.DEEPLIFT)
    delta = np.full(n, np.nan, np.float32) if has_delta else None
    chunk = _patches_per_chunk(method, settings)
    for number, start in enumerate(range(0, n, chunk)):
        if should_stop():
            raise AttributionCancelled()
        part = slice(start, min(start + chunk, n))
        batch = _make_batch(bands_db[part], inc_deg[part], served, device, settings.seed + number)
        with torch.no_grad():
            probability[part] = served(batch.bands_db, batch.inc_deg).cpu().numpy()
        raw = _ATTRIBUTORS[method](served, batch, settings)
        maps = raw.bands.detach().float().cpu().numpy()
        if traits.per_band:
            hh[part], hv[part] = maps[:, 0], maps[:, 1]
            total[part] = maps[:, 0] + maps[:, 1]
        else:
            total[part] = maps[:, 0]
        if raw.inc is not None and traits.angle:
            inc_attr[part] = raw.inc.detach().float().cpu().numpy()
        if delta is not None and raw.delta is not None:
            delta[part] = raw.delta.detach().float().cpu().numpy()
        done = min(start + chunk, n)
        progress(done / n, f"{method.value}: {done}/{n} patches explained")
    return PatchAttributions(method, list(arrays.ids), hh, hv, total, inc_attr, probability, delta,
                             inc_known, settings.tta)


def _make_batch(bands_db: np.ndarray, inc_deg: np.ndarray, served: ServedProbability, device: torch.device,
                seed: int) -> _Batch:
    clutter = clutter_level_db(bands_db)[:, :, None, None]
    spread = clutter_spread_db(bands_db)[:, :, None, None]
    n = len(bands_db)

    def tensor(values: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32)).to(device)

    return _Batch(
        bands_db=tensor(bands_db),
        inc_deg=tensor(inc_deg),
        baseline_db=tensor(np.broadcast_to(clutter, bands_db.shape)),
        baseline_inc_deg=torch.full((n,), served.inc_mean_deg, dtype=torch.float32, device=device),
        clutter_db=tensor(clutter),
        spread_db=tensor(spread),
        seed=seed,
    )


__all__ = [
    "CHANNEL_FROM_BANDS_DB",
    "CLUTTER_RING_PX",
    "METHOD_TRAITS",
    "AttributionCancelled",
    "AttributionMethod",
    "AttributionSummary",
    "MethodTraits",
    "PatchAttributions",
    "ServedProbability",
    "clutter_baseline_db",
    "clutter_level_db",
    "clutter_spread_db",
    "explain",
    "from_view",
    "summarise",
    "to_view",
]
